bash Tests/golden/hardening/in-temp.sh exact-interp '$EI construct D.json -o D.json; echo exit $?'
