-- A fenced write's claim check as a statement that fails rather than answers: it travels in the
-- same message as the write it guards (one round trip a transaction), and the transaction fails
-- with SQLSTATE AL001 when the claim was taken over. FOR SHARE: a takeover waits for the commit.
CREATE FUNCTION assert_claim(p_project text, p_task_id text, p_runner_id text, p_token bigint) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM 1 FROM task_claims
    WHERE project = p_project AND task_id = p_task_id AND runner_id = p_runner_id AND token = p_token AND NOT released
    FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'claim of % on % (token %) is no longer held', p_runner_id, p_task_id, p_token USING ERRCODE = 'AL001';
  END IF;
END
$$;
