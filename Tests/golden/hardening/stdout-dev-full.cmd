bash Tests/golden/hardening/in-temp.sh exact-interp '$EI validate D.json > /dev/full; echo exit $?; $EI verify M.json D.json > /dev/full; echo exit $?'
