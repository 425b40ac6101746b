bash Tests/golden/hardening/in-temp.sh exact-interp '$EI report M.json D.json -o M.json; echo exit $?'
