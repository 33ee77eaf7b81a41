"""The official Python client (kubernetes, as Debian's python3-kubernetes packages it) against a running emulator.

Run by tests/api/python-client.test.ts: python3 client_check.py KUBECONFIG NODES. Each step's outcome goes into one
JSON report on stdout, which the test asserts on; a step that raises records its error, and the others still run.
"""

import json
import sys
import time
import traceback

from kubernetes import client, config, watch
from kubernetes.dynamic import DynamicClient

KUBECONFIG, NODES = sys.argv[1], int(sys.argv[2])
config.load_kube_config(config_file=KUBECONFIG)
core, apps = client.CoreV1Api(), client.AppsV1Api()
report = {}


def step(name):
    def run(fn):
        try:
            report[name] = fn()
        except Exception as err:  # recorded for the test to show
            report[name] = {"error": f"{type(err).__name__}: {err}", "trace": traceback.format_exc()[-1500:]}
        return fn

    return run


def api_error(fn):
    """The status and reason of the ApiException `fn` raises (None when it raises none)."""
    try:
        fn()
    except client.exceptions.ApiException as err:
        return {"status": err.status, "reason": json.loads(err.body)["reason"]}
    return None


@step("version")
def _():
    v = client.VersionApi().get_code()  # GET /version/
    return {"gitVersion": v.git_version, "major": v.major, "minor": v.minor}


@step("discovery")
def _():
    return {
        "core": client.CoreApi().get_api_versions().versions,  # GET /api/
        "groups": sorted(g.name for g in client.ApisApi().get_api_versions().groups),  # GET /apis/
        "coreResources": sorted(r.name for r in core.get_api_resources().resources),  # GET /api/v1/
        "appsResources": sorted(r.name for r in apps.get_api_resources().resources),  # GET /apis/apps/v1/
        "appsPreferred": client.AppsApi().get_api_group().preferred_version.group_version,  # GET /apis/apps/
    }


@step("daemonset")
def _():
    labels = {"app": "py-ds"}
    body = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "py-ds", "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}},
        },
    }
    created = apps.create_namespaced_daemon_set("default", body)
    # every pod Running and Ready, seen through a watch of the namespace's pods (a list, then a watch from its
    # resourceVersion)
    ready = set()
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_pod, "default", label_selector="app=py-ds", timeout_seconds=30):
        pod = ev["object"]
        statuses = pod.status.container_statuses or []
        if pod.status.phase == "Running" and statuses and all(c.ready for c in statuses):
            ready.add(pod.metadata.name)
        if len(ready) >= NODES:
            w.stop()
    pods = core.list_namespaced_pod("default", label_selector="app=py-ds").items
    deadline = time.time() + 10
    ds = apps.read_namespaced_daemon_set_status("py-ds", "default")
    while ds.status.number_ready < NODES and time.time() < deadline:
        time.sleep(0.1)
        ds = apps.read_namespaced_daemon_set_status("py-ds", "default")
    return {
        "created": created.metadata.name,
        "creationTimestampParsed": hasattr(created.metadata.creation_timestamp, "isoformat"),
        "readyThroughWatch": len(ready),
        "nodesOfPods": sorted({p.spec.node_name for p in pods}),
        "nodes": sorted(n.metadata.name for n in core.list_node().items),
        "desired": ds.status.desired_number_scheduled,
        "numberReady": ds.status.number_ready,
        "duplicate": api_error(lambda: apps.create_namespaced_daemon_set("default", body)),
    }


@step("logs")
def _():
    pod = core.list_namespaced_pod("default", label_selector="app=py-ds").items[0]
    tail = core.read_namespaced_pod_log(pod.metadata.name, "default", tail_lines=2)
    stream = core.read_namespaced_pod_log(pod.metadata.name, "default", follow=True, _preload_content=False)
    first = stream.readline().decode()
    stream.close()
    return {"tailLines": len(tail.splitlines()), "followFirstLine": first}


@step("patch")
def _():
    # a dict body goes as a strategic merge patch
    patched = apps.patch_namespaced_daemon_set(
        "py-ds", "default", {"spec": {"template": {"metadata": {"annotations": {"rev": "2"}}}}}
    )
    return {"generation": patched.metadata.generation, "annotation": patched.spec.template.metadata.annotations}


@step("pages")
def _():
    for i in range(5):
        core.create_namespaced_config_map(
            "default", {"metadata": {"name": f"py-page-{i}", "labels": {"py": "page"}}, "data": {"i": str(i)}}
        )
    names, pages, cont = [], 0, None
    while True:
        page = core.list_namespaced_config_map("default", label_selector="py=page", limit=2, _continue=cont)
        names += [c.metadata.name for c in page.items]
        pages += 1
        cont = page.metadata._continue
        if not cont:
            break
    core.delete_collection_namespaced_config_map("default", label_selector="py=page")
    left = core.list_namespaced_config_map("default", label_selector="py=page").items
    return {"names": names, "pages": pages, "leftAfterDeleteCollection": len(left)}


@step("scale")
def _():
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "py-deploy"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "py-deploy"}},
            "template": {"metadata": {"labels": {"app": "py-deploy"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}},
        },
    }
    apps.create_namespaced_deployment("default", body)
    read = apps.read_namespaced_deployment_scale("py-deploy", "default")
    patched = apps.patch_namespaced_deployment_scale("py-deploy", "default", {"spec": {"replicas": 3}})
    scale = client.V1Scale(
        metadata=client.V1ObjectMeta(name="py-deploy", namespace="default"), spec=client.V1ScaleSpec(replicas=2)
    )
    replaced = apps.replace_namespaced_deployment_scale("py-deploy", "default", scale)
    deadline = time.time() + 20
    dep = apps.read_namespaced_deployment("py-deploy", "default")
    while (dep.status.ready_replicas or 0) != 2 and time.time() < deadline:
        time.sleep(0.1)
        dep = apps.read_namespaced_deployment("py-deploy", "default")
    return {
        "read": read.spec.replicas,
        "selector": read.status.selector,
        "patched": patched.spec.replicas,
        "replaced": replaced.spec.replicas,
        "readyReplicas": dep.status.ready_replicas,
    }


@step("eviction")
def _():
    pod = core.list_namespaced_pod("default", label_selector="app=py-deploy").items[0]
    name = pod.metadata.name
    eviction = client.V1Eviction(metadata=client.V1ObjectMeta(name=name, namespace="default"))
    core.create_namespaced_pod_eviction(name, "default", eviction)
    after = api_error(lambda: core.read_namespaced_pod(name, "default"))
    return {"deletedOrTerminating": after is not None or bool(core.read_namespaced_pod(name, "default").metadata.deletion_timestamp)}


@step("dynamic")
def _():
    dyn = DynamicClient(client.ApiClient())
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    applied = dyn.patch(
        configmaps,
        name="py-apply",
        namespace="default",
        # (this client sends only JSON content types from objects: the applied configuration goes as its text)
        body=json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py-apply"}, "data": {"a": "1"}}),
        content_type="application/apply-patch+yaml",
        field_manager="py-client",
    )
    merged = dyn.patch(
        configmaps, name="py-apply", namespace="default", body={"data": {"b": "2"}}, content_type="application/merge-patch+json"
    )
    daemonsets = dyn.resources.get(api_version="apps/v1", kind="DaemonSet")
    return {
        "applied": dict(applied.data),
        "managers": sorted(m["manager"] for m in applied.metadata.managedFields),
        "merged": dict(merged.data),
        "daemonsets": [d.metadata.name for d in daemonsets.get(namespace="default").items],
    }


@step("errors")
def _():
    return {
        "notFound": api_error(lambda: core.read_namespaced_config_map("py-none", "default")),
        "invalid": api_error(lambda: core.create_namespaced_config_map("default", {"metadata": {"name": "Not_Valid"}})),
    }


@step("delete")
def _():
    apps.delete_namespaced_daemon_set("py-ds", "default", propagation_policy="Foreground")
    deadline = time.time() + 20
    gone = None
    while gone is None and time.time() < deadline:
        gone = api_error(lambda: apps.read_namespaced_daemon_set("py-ds", "default"))
        time.sleep(0.1)
    pods = core.list_namespaced_pod("default", label_selector="app=py-ds").items
    return {"gone": gone, "podsLeft": len(pods)}


print(json.dumps(report, default=str))
