bash Tests/golden/hardening/in-temp.sh exact-interp '$EI construct D.json -o out.json 2>&- >/dev/null; echo exit $?; $EI verify out.json D.json --quiet >/dev/null; echo verify exit $?'
