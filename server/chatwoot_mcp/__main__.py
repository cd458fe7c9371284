from chatwoot_mcp.cli import main

raise SystemExit(main())
