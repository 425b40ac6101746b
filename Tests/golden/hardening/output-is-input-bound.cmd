bash Tests/golden/hardening/in-temp.sh exact-interp '$EI bound M.json --balanced -o ./M.json; echo exit $?'
