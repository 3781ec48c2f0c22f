/** Rotation functions for the real-client walkthroughs. */

/** A Python rotation function: createSecret stages a new value, finishSecret moves AWSCURRENT. */
export const PY_ROTATOR = `import boto3
sm = boto3.client("secretsmanager")
def handler(event, context):
    step, sid, token = event["Step"], event["SecretId"], event["ClientRequestToken"]
    if step == "createSecret":
        pw = sm.get_random_password(PasswordLength=16, ExcludePunctuation=True)["RandomPassword"]
        sm.put_secret_value(SecretId=sid, ClientRequestToken=token, SecretString="rotated-" + pw, VersionStages=["AWSPENDING"])
    elif step == "testSecret":
        assert sm.get_secret_value(SecretId=sid, VersionStage="AWSPENDING")["SecretString"].startswith("rotated-")
    elif step == "finishSecret":
        stages = sm.describe_secret(SecretId=sid)["VersionIdsToStages"]
        current = [v for v, s in stages.items() if "AWSCURRENT" in s][0]
        sm.update_secret_version_stage(SecretId=sid, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current)
    return {"step": step}
`;
