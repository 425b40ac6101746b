bash Tests/golden/hardening/in-temp.sh exact-interp 'cp M.json S.st; $EI import S.st -o S.st; echo exit $?'
