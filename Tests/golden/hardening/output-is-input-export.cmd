bash Tests/golden/hardening/in-temp.sh exact-interp '$EI export M.json -o M.json; echo exit $?'
