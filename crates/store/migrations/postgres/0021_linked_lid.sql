-- The LID (WhatsApp's privacy-preserving id) of the linked number, beside its phone number:
-- the web engine learns it when the phone links.
ALTER TABLE instances ADD COLUMN me_lid TEXT;
