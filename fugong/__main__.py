from fugong.cli import main

main()
