bash Tests/golden/hardening/in-temp.sh exact-interp 'printf "one two. three four.\\n" > T.txt; ln -s T.txt L.txt; $EI from-text T.txt -o L.txt --dimension 2; echo exit $?; cat T.txt'
