"""exact_interp: run models certified by the `exact-interp` engine in NumPy (and PyTorch).

`load(path)` reads a safetensors export (`exact-interp export MODEL -o FILE.safetensors`) into a
`Model`, whose `forward(X)` runs the architecture of docs/model-format.md in float64: ReLU
feed-forward then hardmax or softmax self-attention, causal masks and several heads included.
`exact_interp.torch_module` has the same model as a `torch.nn.Module` (when torch is installed), and
`exact_interp.training` reproduces the paper's Example 2.2 / Figure 1 (Tikhonov bound).
`from_state_dict` / `from_torch` turn a trained sa-ff state dict into the engine's exact model JSON,
`write_dataset` arrays into its dataset JSON (docs/trained-models.md).
"""

from .safetensors_io import read_safetensors, read_safetensors_bytes
from .model import Block, Head, Model, load
from .trained import from_state_dict, from_torch, write_dataset

__all__ = ["Block", "Head", "Model", "load", "read_safetensors", "read_safetensors_bytes",
           "from_state_dict", "from_torch", "write_dataset"]
__version__ = "0.1.0"
