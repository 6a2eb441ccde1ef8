from illumination.launch import main

raise SystemExit(main())
