bash Tests/golden/hardening/in-temp.sh exact-interp '$EI construct D.json -o out.json --max-bits 4 --quiet >/dev/null; echo exit $?'
