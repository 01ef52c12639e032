import { MigrationInterface } from 'typeorm';
import { Foundation1763900000000 } from './1763900000000-foundation';
import { Facts1763900100000 } from './1763900100000-facts';
import { Ingest1763900150000 } from './1763900150000-ingest';
import { Collision1763900200000 } from './1763900200000-collision';
import { Workflows1763900300000 } from './1763900300000-workflows';
import { Reading1763900400000 } from './1763900400000-reading';
import { IngestDirect1763900500000 } from './1763900500000-ingest-direct';
import { RectificationVersion1763900600000 } from './1763900600000-rectification-version';
import { Notifications1763900800000 } from './1763900800000-notifications';
import { Outcomes1763900900000 } from './1763900900000-outcomes';
import { RecheckRuns1763900920000 } from './1763900920000-recheck-runs';
import { Rules1763901000000 } from './1763901000000-rules';
import { Campaigns1763901100000 } from './1763901100000-campaigns';
import { RectificationMeasures1763900930000 } from './1763900930000-rectification-measures';
import { InspectionsDocuments1763901200000 } from './1763901200000-inspections-documents';
import { CampaignLinks1763902000000 } from './1763902000000-campaign-links';
import { StatsRollup1763902100001 } from './1763902100001-stats-rollup';
import { UserAdmin1763902200001 } from './1763902200001-user-admin';
import { KeptChanged1763902400001 } from './1763902400001-kept-changed';
import { StatsRollupStocks1763902600001 } from './1763902600001-stats-rollup-stocks';
import { PharmacySalesSummary1763902600014 } from './1763902600014-pharmacy-sales-summary';
import { ClueVisibilityIndexes1763902600101 } from './1763902600101-clue-visibility-indexes';
import { ClueNewIndex1763902700001 } from './1763902700001-clue-new-index';
import { StatsMarksStatic1763902810001 } from './1763902810001-stats-marks-static';

/** Every migration, in order. A new migration is a new file here and one line below. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Foundation1763900000000,
  Facts1763900100000,
  Ingest1763900150000,
  Collision1763900200000,
  Workflows1763900300000,
  Reading1763900400000,
  IngestDirect1763900500000,
  RectificationVersion1763900600000,
  Notifications1763900800000,
  Outcomes1763900900000,
  RecheckRuns1763900920000,
  RectificationMeasures1763900930000,
  Rules1763901000000,
  Campaigns1763901100000,
  InspectionsDocuments1763901200000,
  CampaignLinks1763902000000,
  StatsRollup1763902100001,
  UserAdmin1763902200001,
  KeptChanged1763902400001,
  StatsRollupStocks1763902600001,
  PharmacySalesSummary1763902600014,
  ClueVisibilityIndexes1763902600101,
  ClueNewIndex1763902700001,
  StatsMarksStatic1763902810001,
];
