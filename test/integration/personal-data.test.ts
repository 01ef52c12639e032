import { idCheckChar } from '../../src/domain/reference/id-number';
import { keyedHash, sqlEncrypt, sqlKeyedHash } from '../../src/domain/reference/personal-data';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { code } from '../support/client';

const ID17 = '61030219800101123';
const ID_NUMBER = ID17 + idCheckChar(ID17);
const ACCOUNT = '6222020200112233445';
const PERSON = `query { person(personId: "P1") { id personId name maskedIdNumber maskedBankAccount isPublicOfficial } }`;

describe('personal data', () => {
  let t: TestApi;

  beforeAll(async () => {
    t = await startTestApi();
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    const { encKey, hashKey } = t.services.personalDataKeys;
    // Encrypted and hashed in SQL, exactly as the set-based ingest does.
    await t.services.db.query(
      `INSERT INTO person (person_id, name, region_code, is_public_official,
         id_number_enc, id_number_hash, id_number_masked, bank_account_enc, bank_account_hash, bank_account_masked)
       VALUES ('P1', '张三', '610302', true,
         ${sqlEncrypt('$1::text', '$3')}, ${sqlKeyedHash('$1::text', '$4')}, '610302********' || right($1, 4),
         ${sqlEncrypt('$2::text', '$3')}, ${sqlKeyedHash('$2::text', '$4')}, '6222***********3445')`,
      [ID_NUMBER, ACCOUNT, encKey, hashKey],
    );
  });
  afterAll(() => t.close());

  it('the keyed hash computed in SQL equals the one computed in Node (searchable)', async () => {
    const [row] = await t.services.db.query(`SELECT person_id FROM person WHERE id_number_hash = $1`, [
      keyedHash(t.services.personalDataKeys, ID_NUMBER),
    ]);
    expect(row.person_id).toBe('P1');
  });

  it('shows the masked number to anyone who may look the person up', async () => {
    const token = await t.login('yb-610300-analyst');
    const res = await t.gql(PERSON, {}, token);
    expect(res.data.person).toMatchObject({
      personId: 'P1',
      maskedIdNumber: `610302********${ID_NUMBER.slice(-4)}`,
      isPublicOfficial: true,
    });
  });

  it('gives the full number to case workers, decrypted from the SQL ciphertext, and audits the read', async () => {
    const token = await t.login('yb-610302-investigator');
    const res = await t.gql('query { person(personId: "P1") { id idNumber bankAccount } }', {}, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.person).toMatchObject({ idNumber: ID_NUMBER, bankAccount: ACCOUNT });
    const reads = await t.services.db.query(
      `SELECT detail->>'field' AS field FROM audit_log WHERE action = 'personal-data.read' AND target_id = $1 ORDER BY id`,
      [res.data.person.id],
    );
    // The two fields resolve concurrently, each auditing its own read: one entry each, in either order.
    expect(reads.map((r: { field: string }) => r.field).sort()).toEqual(['bankAccount', 'idNumber']);
  });

  it('refuses the full number to analysts with FORBIDDEN, audited, the rest of the person intact', async () => {
    const token = await t.login('yb-610302-analyst');
    const res = await t.gql('query { person(personId: "P1") { name idNumber } }', {}, token);
    expect(res.data.person).toEqual({ name: '张三', idNumber: null });
    expect(code(res)).toBe('FORBIDDEN');
    const denied = await t.services.db.query(`SELECT detail->>'field' AS field FROM audit_log WHERE action = 'denied'`);
    expect(denied.map((r: { field: string }) => r.field)).toContain('Person.idNumber');
  });

  it('hides the person outside the jurisdiction, from police and from admins (null, no existence leak)', async () => {
    for (const username of ['yb-610100-leader', 'ga-610302-investigator', 'yb-610302-admin']) {
      const res = await t.gql(PERSON, {}, await t.login(username));
      expect(res.data.person).toBeNull();
    }
    const node = await t.gql(
      'query($id: ID!) { node(id: $id) { id } }',
      { id: Buffer.from('Person:P1').toString('base64url') },
      await t.login('yb-610100-leader'),
    );
    expect(node.data.node).toBeNull();
  });

  it('lets 纪委 of the province see the person (jurisdiction includes every county below)', async () => {
    const res = await t.gql(PERSON, {}, await t.login('jw-610000-investigator'));
    expect(res.data.person.personId).toBe('P1');
  });
});
