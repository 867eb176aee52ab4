"""Extension objects, bound to the app in `create_app()`."""
from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

# One metadata for FAB's ab_* tables and the app's tables, so migrations see both.
db = SQLA(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()
