import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inspections and documents of a campaign: the foreign keys their campaign_id columns were
 * waiting for (the two features were built side by side; PRODUCT.md §9).
 */
export class CampaignLinks1763902000000 implements MigrationInterface {
  name = 'CampaignLinks1763902000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE inspection ADD CONSTRAINT inspection_campaign_fk FOREIGN KEY (campaign_id) REFERENCES campaign (id)',
    );
    await q.query(
      'ALTER TABLE document ADD CONSTRAINT document_campaign_fk FOREIGN KEY (campaign_id) REFERENCES campaign (id)',
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE document DROP CONSTRAINT document_campaign_fk');
    await q.query('ALTER TABLE inspection DROP CONSTRAINT inspection_campaign_fk');
  }
}
