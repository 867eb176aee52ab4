"""SQLAlchemy models by domain. Importing this package registers every table."""
from app.models.organisation import Unit, Position, PositionKind, UNIT_KINDS  # noqa: F401
from app.models.employees import Employee, SuperiorOverride  # noqa: F401
from app.models.activities import Activity, ActivityCatalog, SubmitException  # noqa: F401
from app.models.periods import Holiday, Period  # noqa: F401
from app.models.parameters import Parameter  # noqa: F401
from app.models.audit import AuditLog  # noqa: F401
from app.models.auth import AuthState, LoginSession  # noqa: F401
from app.models.notifications import NotificationSetting  # noqa: F401
from app.models.scores import (  # noqa: F401
    Attendance, AttendanceImport, Evaluation, OrgPredikat, Recap, Sanction, TppRate,
)
from app.models.skp import (  # noqa: F401
    BknPredikat, FollowupDecision, FollowupRule, PotentialAssessment, Rhk, RhkIndicator, RhkRealisation, Skp,
    SkpHistory, StrategicGoal,
)
