from privacy_guard.cli import main

main()
