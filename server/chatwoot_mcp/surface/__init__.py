"""How the server presents itself to a host: tools declared once (ToolSpec) and built, their schemas slimmed and
listed from tool_schemas/, dynamic toolsets, and the resources and prompts beside the tools."""
