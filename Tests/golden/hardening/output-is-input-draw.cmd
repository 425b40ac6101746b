bash Tests/golden/hardening/in-temp.sh exact-interp '$EI draw M.json D.json -o M.json; echo exit $?'
