"""The Spark backend of record linkage: same function, a local[2] Spark session, results like DuckDB's."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from habeas.stats.linkage import LinkageConfig, evaluate_clusters, link
from habeas.stats.linkage.synthetic import generate_lists

pytestmark = [
    pytest.mark.slow,  # a local Spark session: run in a step of its own by scripts/test
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

pytest.importorskip("pyspark", reason="pyspark is not installed (it is optional: pip install pyspark)")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (java is not on PATH)", allow_module_level=True)


@pytest.fixture(scope="module")
def stop_spark() -> Iterator[None]:
    yield
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()


@pytest.mark.usefixtures("stop_spark")
def test_spark_backend_links_like_duckdb() -> None:
    records = generate_lists(600, seed=4).records
    config = LinkageConfig(em_max_iterations=8)  # Spark runs a job per EM iteration: keep the test short
    on_spark = link(records, config=config, backend="spark", seed=4)  # starts its own local[2] session
    on_duckdb = link(records, config=config, backend="duckdb", seed=4)
    assert on_spark.summary.backend == "spark"
    spark_metrics = evaluate_clusters(on_spark.clusters["cluster_id"], records["person_id"])
    assert spark_metrics.pairwise_f1 >= 0.93, spark_metrics
    agreement = evaluate_clusters(on_spark.clusters["cluster_id"], on_duckdb.clusters["cluster_id"])
    assert agreement.pairwise_f1 >= 0.97, agreement
    assert on_spark.capture_table().observed == on_spark.summary.people


@pytest.mark.usefixtures("stop_spark")
def test_the_command_line_links_on_spark(tmp_path, capsys) -> None:
    """``habeas link --backend spark`` (in this process, so that it reuses the session of the test above)."""
    import json

    from habeas.cli.main import main

    path = tmp_path / "lists.csv"
    generate_lists(300, seed=6).records.drop(columns=["person_id"]).to_csv(path, index=False)
    assert main(["link", str(path), "--backend", "spark", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["backend"] == "spark" and summary["records"] == 300 and 0 < summary["people"] < 300
