"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.Enum('read', 'write', name='token_scope', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(name) >= 1', name=op.f('ck_api_tokens_name_not_empty')),
    sa.CheckConstraint('length(token_hash) = 64', name=op.f('ck_api_tokens_token_hash_sha256')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('name', name=op.f('uq_api_tokens_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('changes',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.Enum('create', 'update', 'delete', name='change_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('resource', sa.Enum('governments', 'recognitions', 'ambassador-exchanges', 'sources', name='change_resource', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_changes')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_changes_at'), ['at'], unique=False)
        batch_op.create_index('ix_changes_record', ['resource', 'record_id', 'seq'], unique=False)

    op.create_table('governments',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('start_edtf', sa.String(length=64), nullable=True),
    sa.Column('start_earliest', sa.Date(), nullable=True),
    sa.Column('start_latest', sa.Date(), nullable=True),
    sa.Column('end_edtf', sa.String(length=64), nullable=True),
    sa.Column('end_earliest', sa.Date(), nullable=True),
    sa.Column('end_latest', sa.Date(), nullable=True),
    sa.CheckConstraint('(end_edtf IS NULL AND end_earliest IS NULL AND end_latest IS NULL) OR (end_edtf IS NOT NULL AND end_earliest IS NOT NULL AND end_latest IS NOT NULL AND end_earliest <= end_latest)', name=op.f('ck_governments_end_bounds')),
    sa.CheckConstraint('(start_edtf IS NULL AND start_earliest IS NULL AND start_latest IS NULL) OR (start_edtf IS NOT NULL AND start_earliest IS NOT NULL AND start_latest IS NOT NULL AND start_earliest <= start_latest)', name=op.f('ck_governments_start_bounds')),
    sa.CheckConstraint('length(country) = 2 AND upper(country) = country', name=op.f('ck_governments_country_code')),
    sa.CheckConstraint('length(id) >= 2', name=op.f('ck_governments_id_not_empty')),
    sa.CheckConstraint('length(name) >= 1', name=op.f('ck_governments_name_not_empty')),
    sa.CheckConstraint('start_earliest IS NULL OR end_latest IS NULL OR end_latest >= start_earliest', name=op.f('ck_governments_end_not_before_start')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governments'))
    )
    with op.batch_alter_table('governments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_governments_country'), ['country'], unique=False)

    op.create_table('sources',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=True),
    sa.Column('publisher', sa.String(length=300), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('published_edtf', sa.String(length=64), nullable=True),
    sa.Column('published_earliest', sa.Date(), nullable=True),
    sa.Column('published_latest', sa.Date(), nullable=True),
    sa.Column('kind', sa.Enum('news', 'official_statement', 'social_post', 'dataset', 'other', name='source_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(published_edtf IS NULL AND published_earliest IS NULL AND published_latest IS NULL) OR (published_edtf IS NOT NULL AND published_earliest IS NOT NULL AND published_latest IS NOT NULL AND published_earliest <= published_latest)', name=op.f('ck_sources_published_bounds')),
    sa.CheckConstraint('length(publisher) >= 1', name=op.f('ck_sources_publisher_not_empty')),
    sa.CheckConstraint('length(title) >= 1', name=op.f('ck_sources_title_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources'))
    )
    op.create_table('ambassador_exchanges',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('government_id', sa.String(length=64), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('direction', sa.Enum('government_to_country', 'country_to_government', name='exchange_direction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rank', sa.Enum('ambassador', 'charge_d_affaires', 'political_office', 'other', name='exchange_rank', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('envoy', sa.String(length=300), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('start_edtf', sa.String(length=64), nullable=True),
    sa.Column('start_earliest', sa.Date(), nullable=True),
    sa.Column('start_latest', sa.Date(), nullable=True),
    sa.Column('end_edtf', sa.String(length=64), nullable=True),
    sa.Column('end_earliest', sa.Date(), nullable=True),
    sa.Column('end_latest', sa.Date(), nullable=True),
    sa.CheckConstraint('(end_edtf IS NULL AND end_earliest IS NULL AND end_latest IS NULL) OR (end_edtf IS NOT NULL AND end_earliest IS NOT NULL AND end_latest IS NOT NULL AND end_earliest <= end_latest)', name=op.f('ck_ambassador_exchanges_end_bounds')),
    sa.CheckConstraint('(start_edtf IS NULL AND start_earliest IS NULL AND start_latest IS NULL) OR (start_edtf IS NOT NULL AND start_earliest IS NOT NULL AND start_latest IS NOT NULL AND start_earliest <= start_latest)', name=op.f('ck_ambassador_exchanges_start_bounds')),
    sa.CheckConstraint('length(country) = 2 AND upper(country) = country', name=op.f('ck_ambassador_exchanges_country_code')),
    sa.CheckConstraint('start_earliest IS NULL OR end_latest IS NULL OR end_latest >= start_earliest', name=op.f('ck_ambassador_exchanges_end_not_before_start')),
    sa.ForeignKeyConstraint(['government_id'], ['governments.id'], name=op.f('fk_ambassador_exchanges_government_id_governments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ambassador_exchanges'))
    )
    with op.batch_alter_table('ambassador_exchanges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ambassador_exchanges_country'), ['country'], unique=False)
        batch_op.create_index('ix_ambassador_exchanges_relation', ['government_id', 'country', 'start_latest', 'end_earliest'], unique=False)

    op.create_table('government_aliases',
    sa.Column('government_id', sa.String(length=64), nullable=False),
    sa.Column('alias', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(alias) >= 1', name=op.f('ck_government_aliases_alias_not_empty')),
    sa.ForeignKeyConstraint(['government_id'], ['governments.id'], name=op.f('fk_government_aliases_government_id_governments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('government_id', 'alias', name=op.f('pk_government_aliases'))
    )
    op.create_table('recognitions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('government_id', sa.String(length=64), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('form', sa.Enum('de_jure', 'de_facto', name='recognition_form', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('start_edtf', sa.String(length=64), nullable=True),
    sa.Column('start_earliest', sa.Date(), nullable=True),
    sa.Column('start_latest', sa.Date(), nullable=True),
    sa.Column('end_edtf', sa.String(length=64), nullable=True),
    sa.Column('end_earliest', sa.Date(), nullable=True),
    sa.Column('end_latest', sa.Date(), nullable=True),
    sa.CheckConstraint('(end_edtf IS NULL AND end_earliest IS NULL AND end_latest IS NULL) OR (end_edtf IS NOT NULL AND end_earliest IS NOT NULL AND end_latest IS NOT NULL AND end_earliest <= end_latest)', name=op.f('ck_recognitions_end_bounds')),
    sa.CheckConstraint('(start_edtf IS NULL AND start_earliest IS NULL AND start_latest IS NULL) OR (start_edtf IS NOT NULL AND start_earliest IS NOT NULL AND start_latest IS NOT NULL AND start_earliest <= start_latest)', name=op.f('ck_recognitions_start_bounds')),
    sa.CheckConstraint('length(country) = 2 AND upper(country) = country', name=op.f('ck_recognitions_country_code')),
    sa.CheckConstraint('start_earliest IS NULL OR end_latest IS NULL OR end_latest >= start_earliest', name=op.f('ck_recognitions_end_not_before_start')),
    sa.ForeignKeyConstraint(['government_id'], ['governments.id'], name=op.f('fk_recognitions_government_id_governments'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recognitions'))
    )
    with op.batch_alter_table('recognitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognitions_country'), ['country'], unique=False)
        batch_op.create_index('ix_recognitions_relation', ['government_id', 'country', 'start_latest', 'end_earliest'], unique=False)

    op.create_table('ambassador_exchange_sources',
    sa.Column('exchange_id', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['exchange_id'], ['ambassador_exchanges.id'], name=op.f('fk_ambassador_exchange_sources_exchange_id_ambassador_exchanges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_ambassador_exchange_sources_source_id_sources'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('exchange_id', 'source_id', name=op.f('pk_ambassador_exchange_sources'))
    )
    with op.batch_alter_table('ambassador_exchange_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ambassador_exchange_sources_source_id'), ['source_id'], unique=False)

    op.create_table('recognition_sources',
    sa.Column('recognition_id', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['recognition_id'], ['recognitions.id'], name=op.f('fk_recognition_sources_recognition_id_recognitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_recognition_sources_source_id_sources'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('recognition_id', 'source_id', name=op.f('pk_recognition_sources'))
    )
    with op.batch_alter_table('recognition_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recognition_sources_source_id'), ['source_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('recognition_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recognition_sources_source_id'))

    op.drop_table('recognition_sources')
    with op.batch_alter_table('ambassador_exchange_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ambassador_exchange_sources_source_id'))

    op.drop_table('ambassador_exchange_sources')
    with op.batch_alter_table('recognitions', schema=None) as batch_op:
        batch_op.drop_index('ix_recognitions_relation')
        batch_op.drop_index(batch_op.f('ix_recognitions_country'))

    op.drop_table('recognitions')
    op.drop_table('government_aliases')
    with op.batch_alter_table('ambassador_exchanges', schema=None) as batch_op:
        batch_op.drop_index('ix_ambassador_exchanges_relation')
        batch_op.drop_index(batch_op.f('ix_ambassador_exchanges_country'))

    op.drop_table('ambassador_exchanges')
    op.drop_table('sources')
    with op.batch_alter_table('governments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_governments_country'))

    op.drop_table('governments')
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.drop_index('ix_changes_record')
        batch_op.drop_index(batch_op.f('ix_changes_at'))

    op.drop_table('changes')
    op.drop_table('api_tokens')
