"""Data views for agents: ``workflow_definitions.yaml`` (``workflows``), running one view (``run``) and the
agent's toolset over any dataset (``toolset``)."""
