"""Applicants and their program profiles."""

from __future__ import annotations

import sqlalchemy as sa

from ..errors import StorageError
from ..profile import ProgramProfile
from .engine import Repository
from .models import ApplicantRow, ProfileRow
from .records import ApplicantRecord, ProfileRecord, copy_record, new_id, utcnow


def _email(value: str | None) -> str | None:
    """Login and coach emails are stored lower-case and stripped (as the access rule
    compares them)."""
    return (value or "").strip().lower() or None


class ApplicantRepository(Repository):
    """Applicants (name, contact details, login and coach emails) and program profiles."""

    def add_applicant(self, name: str, *, email: str | None = None, phone: str | None = None,
                      aamc_id: str | None = None, carms_id: str | None = None,
                      coach_email: str | None = None, id: str | None = None) -> ApplicantRecord:
        """Add an applicant (name required)."""
        name = (name or "").strip()
        if not name:
            raise StorageError("an applicant needs a name")
        with self._db.write() as db:
            row = ApplicantRow(id=id or new_id(), name=name, email=_email(email),
                             phone=phone or None, aamc_id=aamc_id or None,
                             carms_id=carms_id or None, coach_email=_email(coach_email),
                             created_at=utcnow())
            db.add(row)
            db.flush()
            return copy_record(ApplicantRecord, row)

    def get_applicant(self, applicant_id: str) -> ApplicantRecord:
        with self._db.read() as db:
            return copy_record(ApplicantRecord, self._db.need(db, ApplicantRow, applicant_id, "applicant"))

    def list_applicants(self, *, coach_email: str | None = None,
                        email: str | None = None) -> list[ApplicantRecord]:
        """Applicants by name, optionally only a coach's (``coach_email``) or one login
        (``email``); emails compare case-insensitively."""
        q = sa.select(ApplicantRow)
        if coach_email is not None:
            q = q.where(sa.func.lower(ApplicantRow.coach_email) == coach_email.strip().lower())
        if email is not None:
            q = q.where(sa.func.lower(ApplicantRow.email) == email.strip().lower())
        with self._db.read() as db:
            rows = db.scalars(q.order_by(sa.func.lower(ApplicantRow.name), ApplicantRow.created_at))
            return [copy_record(ApplicantRecord, r) for r in rows]

    def find_applicant(self, name: str) -> ApplicantRecord | None:
        """The earliest applicant with exactly this name (case-insensitive), or None."""
        q = (sa.select(ApplicantRow)
             .where(sa.func.lower(ApplicantRow.name) == (name or "").strip().lower())
             .order_by(ApplicantRow.created_at).limit(1))
        with self._db.read() as db:
            row = db.scalars(q).first()
            return copy_record(ApplicantRecord, row) if row else None

    def get_or_add_applicant(self, name: str, **details) -> ApplicantRecord:
        """The applicant with this name, added (with ``details``) if there is none."""
        return self.find_applicant(name) or self.add_applicant(name, **details)

    def update_applicant(self, applicant_id: str, **changes) -> ApplicantRecord:
        """Change name, email, phone, aamc_id, carms_id or coach_email."""
        allowed = {"name", "email", "phone", "aamc_id", "carms_id", "coach_email"}
        bad = set(changes) - allowed
        if bad:
            raise StorageError(f"cannot change applicant field(s) {sorted(bad)}; "
                               f"allowed: {sorted(allowed)}")
        if "name" in changes and not (changes["name"] or "").strip():
            raise StorageError("an applicant needs a name")
        with self._db.write() as db:
            row = self._db.need(db, ApplicantRow, applicant_id, "applicant")
            for k, v in changes.items():
                if k in ("email", "coach_email"):
                    v = _email(v)
                setattr(row, k, (v.strip() if isinstance(v, str) else v) or None)
            db.flush()
            return copy_record(ApplicantRecord, row)

    # ---- profiles -------------------------------------------------------------------

    def add_profile(self, profile: ProgramProfile, *, applicant_id: str | None = None,
                    id: str | None = None) -> ProfileRecord:
        """Save a program profile (optionally owned by an applicant). Profiles are never
        changed in place, so past sessions keep the profile they were drawn for."""
        with self._db.write() as db:
            if applicant_id is not None:
                self._db.need(db, ApplicantRow, applicant_id, "applicant")
            row = ProfileRow(id=id or new_id(), applicant_id=applicant_id, name=profile.name,
                           country=profile.country, region=profile.region, city=profile.city,
                           specialty=profile.specialty, mission=profile.mission or "",
                           features=list(profile.features), created_at=utcnow())
            db.add(row)
            db.flush()
            return copy_record(ProfileRecord, row)

    def find_or_add_profile(self, profile: ProgramProfile, *,
                            applicant_id: str | None = None) -> ProfileRecord:
        """An identical saved profile of this applicant (or unowned), else a new one."""
        for rec in self.list_profiles(applicant_id=applicant_id):
            if rec.applicant_id == applicant_id and rec.to_profile() == profile:
                return rec
        return self.add_profile(profile, applicant_id=applicant_id)

    def get_profile(self, profile_id: str) -> ProfileRecord:
        with self._db.read() as db:
            return copy_record(ProfileRecord, self._db.need(db, ProfileRow, profile_id, "program profile"))

    def list_profiles(self, *, applicant_id: str | None = None) -> list[ProfileRecord]:
        """All profiles (newest first); with ``applicant_id``, that applicant's and the
        unowned ones."""
        q = sa.select(ProfileRow)
        if applicant_id is not None:
            q = q.where(sa.or_(ProfileRow.applicant_id == applicant_id,
                               ProfileRow.applicant_id.is_(None)))
        with self._db.read() as db:
            rows = db.scalars(q.order_by(ProfileRow.created_at.desc()))
            return [copy_record(ProfileRecord, r) for r in rows]
