mkdir -p out && head -c 100 out/near-tie.safetensors > out/truncated.safetensors && exact-interp import out/truncated.safetensors -o out/never.json
