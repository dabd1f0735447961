"""Teaching modes: the non-UI logic of the compare, fill-in, sweep, strategy and explainer tabs."""
