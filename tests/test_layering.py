"""The layering of `bridgework/`: an app may import `lib/`, `jobs/`, `accounts/`, a registry, or
another app's small public module (`<app>/api.py`), and nothing else of another app; `lib/`,
`jobs/` and `accounts/` never import an app. Each import
statement of every module is read with `ast` (nested and `TYPE_CHECKING` imports too, so
no import hides inside a function), and the test names every one that reaches further. A
model named by its label (`ForeignKey("cohorts.Cohort")`, `apps.get_model("cohorts",
"Cohort")`) reaches that app's models as an import would, so those count too. Migrations are
left out: Django writes them and they name other apps' migrations."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import bridgework

PACKAGE = Path(bridgework.__file__).parent

# What every app may import, lowest first; each may import only those before it: pure helpers
# with no Django, the task queue and e-mail outbox that background work runs on, and the
# people and organisations (with the registries of contributions) every app serves.
FOUNDATIONS = ("lib", "jobs", "accounts")

# Registries an app fills from its `AppConfig.ready()` or declares entries in.
REGISTRIES = frozenset(
    {
        "notifications.kinds",  # the notification kinds each app declares
        "chat.platforms",  # the chat platforms (Slack, Teams) register themselves (issue #21)
        "sso.sealing",  # secrets sealed at rest, and the re-seal steps rotate-keys runs
    }
)

# Imports that break the rule on purpose, each with why. Keep it short, and empty if you can.
ALLOWED: dict[tuple[str, str], str] = {
    ("notifications.models", "community.models.Space"): (
        "a notification about a space goes with the space (on_delete=CASCADE); notifications"
        " sits below community and learns who may see a space through its SpaceRules registry,"
        " so the foreign key names the model by its label instead of importing it"
    ),
    ("notifications.models", "community.models.Thread"): (
        "the same for a notification about a thread, whose summary names it: it goes with the"
        " thread, and who may still see the thread comes through the SpaceRules registry"
    ),
}

# Calls that name a model by its label: relation fields ("app.Model") and the app registry.
RELATIONS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})


@dataclass(frozen=True)
class Reach:
    module: str  # the importing module, e.g. "insights.releases"
    line: int
    target: str  # what it imports, e.g. "cohorts.models"

    def __str__(self) -> str:
        return f"bridgework/{self.module.replace('.', '/')}.py:{self.line} imports {self.target}"


def _apps() -> frozenset[str]:
    return frozenset(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The modules (or, for `from x import y`, each `x.y`) a statement imports, relative to
    the `bridgework` package; names outside it are left out."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
        return [n.removeprefix("bridgework.") for n in names if n.startswith("bridgework.")]
    if node.level:
        here = module.split(".") if is_package else module.split(".")[:-1]
        base = here[: len(here) - node.level + 1]
        source = ".".join([*base, *([node.module] if node.module else [])])
    elif node.module is not None and node.module.startswith("bridgework."):
        source = node.module.removeprefix("bridgework.")
    elif node.module == "bridgework":
        source = ""
    else:
        return []
    # `from x import y` may import the module x.y or the name y from x: both are checked as
    # x.y, so `from bridgework.cohorts import models` counts as reaching cohorts.models.
    return [f"{source}.{alias.name}".lstrip(".") for alias in node.names]


def is_allowed(importer: str, target: str, apps: frozenset[str]) -> bool:
    own, other = importer.split(".")[0], target.split(".")[0]
    if other == own or other not in apps:
        return True
    if own in FOUNDATIONS:
        # A foundation never reaches up: not into an app, nor into a later foundation.
        return other in FOUNDATIONS[: FOUNDATIONS.index(own)]
    if other in FOUNDATIONS:
        return True
    public = f"{other}.api"
    if target == public or target.startswith(public + "."):
        return True
    return any(target == r or target.startswith(r + ".") for r in REGISTRIES)


def _named_model(node: ast.Call) -> str | None:
    """`ForeignKey("cohorts.Cohort")` or `apps.get_model("cohorts", "Cohort")` as
    "cohorts.models.Cohort"; None for any other call."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    texts += [
        k.value.value
        for k in node.keywords
        if k.arg == "to" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
    ]
    if name in RELATIONS and texts and texts[0].count(".") == 1:
        app, model = texts[0].split(".")
        return f"{app}.models.{model}"
    if name == "get_model" and len(texts) == 2:
        return f"{texts[0]}.models.{texts[1]}"
    return None


def _targets(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every (line, module or model) a module's source reaches: imports and named models."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found += [(node.lineno, t) for t in _imported(node, module, is_package)]
        elif isinstance(node, ast.Call) and (named := _named_model(node)) is not None:
            found.append((node.lineno, named))
    return found


def reaches(
    source: str, module: str, apps: frozenset[str], is_package: bool = False
) -> list[Reach]:
    return [
        Reach(module, line, target)
        for line, target in _targets(source, module, is_package)
        if not is_allowed(module, target, apps) and (module, target) not in ALLOWED
    ]


def _modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.relative_to(PACKAGE).parts
        and len(path.relative_to(PACKAGE).parts) > 1  # settings.py, urls.py, cli.py wire apps
    )


def test_no_app_reaches_into_another_apps_internals() -> None:
    apps = _apps()
    found = [
        reach
        for path in _modules()
        for reach in reaches(
            path.read_text(), _module_name(path), apps, is_package=path.name == "__init__.py"
        )
    ]

    assert not found, "Import the other app's api.py instead:\n" + "\n".join(map(str, found))


def test_every_allowed_exception_still_exists() -> None:
    apps = _apps()
    imports = {
        (_module_name(path), target)
        for path in _modules()
        for _, target in _targets(path.read_text(), _module_name(path), path.name == "__init__.py")
        if not is_allowed(_module_name(path), target, apps)
    }

    assert set(ALLOWED) <= imports


APPS = frozenset(
    {"accounts", "lib", "jobs", "cohorts", "community", "insights", "practice", "notifications"}
)


def test_it_flags_a_model_imported_from_another_app() -> None:
    source = "from bridgework.cohorts.models import Cohort\n"

    assert [str(r) for r in reaches(source, "insights.releases", APPS)] == [
        "bridgework/insights/releases.py:1 imports cohorts.models.Cohort"
    ]


def test_it_flags_relative_function_level_and_type_checking_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from ...practice.models import Commitment\n"
        "def f() -> None:\n"
        "    from bridgework.insights import services\n"
        "    import bridgework.cohorts.views\n"
    )

    targets = sorted(r.target for r in reaches(source, "community.views.spaces", APPS))

    assert targets == ["cohorts.views", "insights.services", "practice.models.Commitment"]


def test_it_flags_a_model_named_by_its_label() -> None:
    source = (
        "from django.apps import apps\n"
        "from django.db import models\n"
        "class Row(models.Model):\n"
        "    cohort = models.ForeignKey('cohorts.Cohort', on_delete=models.CASCADE)\n"
        "    space = models.OneToOneField(to='community.Space', on_delete=models.CASCADE)\n"
        "    own = models.ForeignKey('insights.Release', on_delete=models.CASCADE)\n"
        "    person = models.ForeignKey('accounts.Person', on_delete=models.CASCADE)\n"
        "Thread = apps.get_model('community', 'Thread')\n"
    )

    assert sorted(str(r) for r in reaches(source, "insights.models", APPS)) == [
        "bridgework/insights/models.py:4 imports cohorts.models.Cohort",
        "bridgework/insights/models.py:5 imports community.models.Space",
        "bridgework/insights/models.py:8 imports community.models.Thread",
    ]


def test_a_foundation_imports_only_the_foundations_below_it() -> None:
    source = (
        "from bridgework.lib import crypto\n"
        "from bridgework.jobs import outbox\n"
        "from bridgework.cohorts.api import Cohort\n"
    )

    assert [r.target for r in reaches(source, "accounts.services", APPS)] == ["cohorts.api.Cohort"]
    assert [r.target for r in reaches(source, "jobs.outbox", APPS)] == ["cohorts.api.Cohort"]
    assert [r.target for r in reaches(source, "lib.ics", APPS)] == [
        "jobs.outbox",
        "cohorts.api.Cohort",
    ]


def test_it_lets_an_app_import_foundations_public_modules_registries_and_itself() -> None:
    source = (
        "from bridgework.lib import cadence\n"
        "from bridgework.accounts.models import Person\n"
        "from bridgework.cohorts.api import Cohort\n"
        "from bridgework.practice import api as practice\n"
        "from bridgework.notifications import kinds\n"
        "from .models import Space\n"
        "from bridgework.community.visibility import can_view\n"
        "from django.db import models\n"
    )

    assert reaches(source, "community.services", APPS) == []
