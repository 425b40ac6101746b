// The library in one import (docs/library.md): `import ExactInterp` brings the public API of the
// trusted base — exact arithmetic, models and datasets, evaluation, the judge — and the
// constructions that build certified models.
@_exported import Certification
@_exported import Constructions
@_exported import Evaluation
@_exported import ExactArithmetic
@_exported import TransformerModel
