head -c 100 $SCRATCH/near-tie.safetensors > $SCRATCH/truncated.safetensors && exact-interp import $SCRATCH/truncated.safetensors -o $SCRATCH/never.json
