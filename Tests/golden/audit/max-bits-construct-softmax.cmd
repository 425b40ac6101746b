bash Tests/golden/hardening/in-temp.sh exact-interp '$EI construct D.json -o out.json --attention softmax --max-bits 1 --quiet >/dev/null; echo exit $?'
