from enhancer.cli import main

raise SystemExit(main())
