from .asset import Asset as Asset, AssetUpload as AssetUpload
from .canvas import Canvas as Canvas, Margins as Margins
from .events import TelemetryEvent as TelemetryEvent, WebhookEvent as WebhookEvent
from .format import Finish as Finish, Format as Format
from .job import Job as Job, ProofJob as ProofJob
from .job_id import JobID as JobID
from .job_state import JobState as JobState
from .layer import ImageLayer as ImageLayer, Layer as Layer, ShapeLayer as ShapeLayer, TextLayer as TextLayer
from .order import (
    OrderItem as OrderItem,
    PrintOrder as PrintOrder,
    PrintOrderTracking as PrintOrderTracking,
    Priority as Priority,
    ShippingAddress as ShippingAddress,
    ShippingSpeed as ShippingSpeed,
)
from .palette import Palette as Palette, Swatch as Swatch
from .render import (
    Orientation as Orientation,
    RenderOptions as RenderOptions,
    RenderOptionsWatermark as RenderOptionsWatermark,
    RenderRequest as RenderRequest,
)
from .shared import Metadata as Metadata, Size as Size
from .usage import UsageReport as UsageReport
