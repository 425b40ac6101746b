bash Tests/golden/hardening/in-temp.sh exact-interp '$EI eval M.json D.json --trace M.json; echo exit $?'
