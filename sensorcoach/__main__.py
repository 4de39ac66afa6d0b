from sensorcoach.cli import main

raise SystemExit(main())
