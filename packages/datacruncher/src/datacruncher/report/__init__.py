"""The report: findings and the quality score (``findings``), the CI gate and JUnit (``gate``), column profiles
(``profiles``), retention and funnel curves (``series``), the terminal summary (``terminal``) and the HTML page
(``pages``)."""
