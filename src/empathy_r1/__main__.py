from empathy_r1.cli import main

main()
