"""The deployable AWS template: `python -m infra.package` (`make package`) writes
build/template.json (Chalice's SAM output merged with what infra/ adds) beside
build/chalice/deployment.zip."""

from infra.package.build import Built, PackageError, build

__all__ = ["Built", "PackageError", "build"]
