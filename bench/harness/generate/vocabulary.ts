/** Code systems and value sets the generated resources draw from (real codes, so criteria read naturally). */
export const SYSTEMS = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  mrn: 'http://hospital.example.org/fhir/identifiers/mrn',
  encounterNumber: 'http://hospital.example.org/fhir/identifiers/encounter',
  observationNumber: 'http://hospital.example.org/fhir/identifiers/observation',
} as const;

export interface Measurement {
  code: string;
  display: string;
  unit: string;
  low: number;
  high: number;
  category: 'vital-signs' | 'laboratory';
}

export const MEASUREMENTS: readonly Measurement[] = [
  { code: '8867-4', display: 'Heart rate', unit: '/min', low: 45, high: 140, category: 'vital-signs' },
  {
    code: '8480-6',
    display: 'Systolic blood pressure',
    unit: 'mm[Hg]',
    low: 90,
    high: 190,
    category: 'vital-signs',
  },
  {
    code: '8462-4',
    display: 'Diastolic blood pressure',
    unit: 'mm[Hg]',
    low: 50,
    high: 120,
    category: 'vital-signs',
  },
  {
    code: '8310-5',
    display: 'Body temperature',
    unit: 'Cel',
    low: 35.5,
    high: 40.5,
    category: 'vital-signs',
  },
  { code: '29463-7', display: 'Body weight', unit: 'kg', low: 3, high: 160, category: 'vital-signs' },
  {
    code: '59408-5',
    display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
    unit: '%',
    low: 82,
    high: 100,
    category: 'vital-signs',
  },
  {
    code: '2339-0',
    display: 'Glucose [Mass/volume] in Blood',
    unit: 'mg/dL',
    low: 60,
    high: 320,
    category: 'laboratory',
  },
  {
    code: '718-7',
    display: 'Hemoglobin [Mass/volume] in Blood',
    unit: 'g/dL',
    low: 7,
    high: 18,
    category: 'laboratory',
  },
  {
    code: '2160-0',
    display: 'Creatinine [Mass/volume] in Serum or Plasma',
    unit: 'mg/dL',
    low: 0.4,
    high: 6,
    category: 'laboratory',
  },
];

export interface Concept {
  code: string;
  display: string;
}

export const CONDITIONS: readonly Concept[] = [
  { code: '44054006', display: 'Diabetes mellitus type 2' },
  { code: '38341003', display: 'Hypertensive disorder' },
  { code: '195967001', display: 'Asthma' },
  { code: '13645005', display: 'Chronic obstructive lung disease' },
  { code: '49436004', display: 'Atrial fibrillation' },
  { code: '35489007', display: 'Depressive disorder' },
  { code: '414545008', display: 'Ischemic heart disease' },
  { code: '709044004', display: 'Chronic kidney disease' },
];

export const ENCOUNTER_TYPES: readonly Concept[] = [
  { code: '185349003', display: 'Encounter for check up' },
  { code: '270427003', display: 'Patient-initiated encounter' },
  { code: '50849002', display: 'Emergency room admission' },
  { code: '183452005', display: 'Emergency hospital admission' },
];

export const ENCOUNTER_CLASSES: readonly Concept[] = [
  { code: 'AMB', display: 'ambulatory' },
  { code: 'EMER', display: 'emergency' },
  { code: 'IMP', display: 'inpatient encounter' },
];

export const OBSERVATION_STATUSES = ['preliminary', 'final', 'amended'] as const;
export const ENCOUNTER_STATUSES = ['planned', 'in-progress', 'finished'] as const;
export const CONDITION_CLINICAL = ['active', 'recurrence', 'remission', 'resolved'] as const;
export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;

export const GIVEN_NAMES = [
  'Anna',
  'Ben',
  'Chloe',
  'David',
  'Emma',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemal',
  'Lea',
];
export const FAMILY_NAMES = [
  'Andersen',
  'Becker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ivanova',
  'Jensen',
];
export const CITIES = ['Aarhus', 'Berlin', 'Copenhagen', 'Lyon', 'Porto', 'Utrecht'];
export const PRACTITIONERS = [
  'Practitioner/pr-1',
  'Practitioner/pr-2',
  'Practitioner/pr-3',
  'Practitioner/pr-4',
];
export const ORGANIZATION = 'Organization/org-1';

/**
 * Clinical dates fall between February and November of 2016 to 2025, never near a year boundary,
 * so a date filter on a year boundary has an answer no time zone or precision rule can change.
 */
export const FIRST_YEAR = 2016;
export const LAST_YEAR = 2025;
