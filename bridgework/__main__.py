from bridgework.cli import main

main()
