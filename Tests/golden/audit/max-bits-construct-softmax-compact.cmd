bash Tests/golden/hardening/in-temp.sh exact-interp '$EI construct D.json -o out.json --attention softmax --layout compact --max-bits 6 --quiet >/dev/null; echo exit $?'
