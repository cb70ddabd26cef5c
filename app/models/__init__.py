"""All models; importing this package registers every table on flask_appbuilder.Model.metadata."""
from .codes import *  # noqa: F401,F403
from .household import *  # noqa: F401,F403
from .org import *  # noqa: F401,F403
from .resident import *  # noqa: F401,F403
from .seat import *  # noqa: F401,F403
from .job import *  # noqa: F401,F403
from .login import *  # noqa: F401,F403
from .audit import *  # noqa: F401,F403
from .feedback import *  # noqa: F401,F403
from .rollup import *  # noqa: F401,F403
from .plan import *  # noqa: F401,F403
from .importlog import *  # noqa: F401,F403
from .exportlog import *  # noqa: F401,F403
from .apikey import *  # noqa: F401,F403
