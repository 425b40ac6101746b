bash Tests/golden/hardening/in-temp.sh exact-interp '$EI report $ROOT/Datasets/models/figure5-softmax-narrow.model.json D.json -o R.md --tau 1/512 | cut -c1-160; echo exit ${PIPESTATUS[0]}'
