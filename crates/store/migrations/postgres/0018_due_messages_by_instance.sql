-- A claim takes the first few due messages of each eligible instance, in run_at order, so one
-- number's backlog neither crowds the others out of a round nor is read whole by every round
-- (a backlog of 30,000 scheduled messages over 100 numbers cost each round all 30,000 rows).
-- The index holds only messages waiting to be sent, in the order they are due.
CREATE INDEX messages_due_by_instance ON messages (instance_id, run_at)
    WHERE status IN ('queued', 'scheduled', 'retrying');
