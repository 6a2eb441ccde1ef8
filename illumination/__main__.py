from illumination.cli import main

raise SystemExit(main())
