-- An attribution's team is its membership's team: one composite foreign key says so, where two
-- (team_id -> teams, membership_id -> team_memberships) allowed them to disagree and cost two
-- checks on every inserted row. Deleting a team still cascades: teams -> team_memberships ->
-- pr_attributions.

ALTER TABLE team_memberships
    ADD CONSTRAINT team_memberships_id_team UNIQUE (id, team_id);

ALTER TABLE pr_attributions
    ADD CONSTRAINT pr_attributions_membership_team_fkey
        FOREIGN KEY (membership_id, team_id) REFERENCES team_memberships (id, team_id)
        ON DELETE CASCADE,
    DROP CONSTRAINT pr_attributions_team_id_fkey,
    DROP CONSTRAINT pr_attributions_membership_id_fkey;
