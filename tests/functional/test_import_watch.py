"""The local stack runs an import after the client's PUT, as the EventBridge rule does in
AWS: the watcher sees the new object under imports/ once and hands over the S3 event."""

from __future__ import annotations

from moto import mock_aws

from chalicelib.domain.org import Role
from tests.functional.test_imports_api import customers_csv


def test_the_local_stack_runs_an_import_once_after_the_put(api) -> None:  # type: ignore[no-untyped-def]
    import boto3

    from chalicelib.store.import_files import S3ImportFiles
    from infra.local.import_watch import ImportWatcher

    settings = api.services.settings
    with mock_aws():
        s3 = boto3.client("s3", region_name=settings.region)
        s3.create_bucket(Bucket=settings.bucket)
        api.services.import_files = S3ImportFiles(settings.bucket, settings.region)
        data = customers_csv([(f"07020000{n:02d}", "T1") for n in range(5)])
        body = {"kind": "customers", "filename": "c.csv", "size": len(data), "mode": "commit"}
        created = api.call("POST", "/v1/imports", body, as_=("O1", Role.OPS)).body
        import_id = created["import_id"]
        s3.put_object(Bucket=settings.bucket, Key=f"imports/{import_id}/upload.csv", Body=data)

        watcher = ImportWatcher(settings.bucket, settings.region, "yunge-local-import_upload")
        assert watcher.poll() == 1
        assert watcher.poll() == 0  # each upload once
        job = api.call("GET", f"/v1/imports/{import_id}", as_=("O1", Role.OPS)).body
        assert job["status"] == "done" and job["counts"]["created"] == 5
