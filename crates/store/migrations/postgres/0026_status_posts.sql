-- A status (story) is encrypted to each viewer, so its message row keeps who they are (and a
-- text status's colour and font), as JSON: the revoke must reach the same people.
ALTER TABLE messages ADD COLUMN status_post TEXT;
