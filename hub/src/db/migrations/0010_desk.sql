-- The reception desk (issue 28): staff with the role "desk" issue numbers for citizens who
-- cannot use the kiosk (or when its printer is down), check bookings in and reprint slips;
-- they call no tickets and see no report. Desk numbers are the site's "kiosk" 26 (Z).
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check
    CHECK (role IN ('counter', 'supervisor', 'admin', 'operator', 'desk'));
