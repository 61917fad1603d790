#!/usr/bin/env python3
"""Builds assets/catalogue/jeneponto.json, the kiosk's embedded default catalogue, from the
researched seed (shared/seed/services.json) plus what the seed lacks: English texts, service
codes, ticket prefixes, counters, search keywords, products, opening hours.

Run from the repository root:  python3 assets/catalogue/build_default.py ../shared/seed/services.json
The output is committed; the kiosk never reads the seed. Seed entries marked `uncertain`
become `verified: false`.
"""
import json
import re
import sys

VERSION = 2026120701
GENERATED_AT = "2026-12-07T00:00:00Z"

def T(id_, en=None):
    return {"id": id_, "en": en} if en else {"id": id_}

# code, icon, order, short id/en, name en, counter number
AGENCIES = {
    "DUKCAPIL": ("id-card", 10, "Disdukcapil", "Disdukcapil", "Population and Civil Registration Office (Disdukcapil), Jeneponto Regency", 1),
    "POLRES": ("shield", 20, "Polres (SKCK, SIM)", "Police (SKCK, licence)", "Jeneponto Police (Intelligence / Traffic Units)", 2),
    "SAMSAT": ("car", 30, "Samsat", "Samsat (vehicles)", "Samsat Jeneponto (vehicle tax and registration)", 3),
    "IMIGRASI": ("passport", 40, "Imigrasi (Paspor)", "Immigration (passport)", "Makassar Class I Immigration Office (passport service at the MPP)", 4),
    "BPJSKES": ("health", 50, "BPJS Kesehatan", "BPJS Health", "BPJS Kesehatan (national health insurance)", 5),
    "BPJSTK": ("users", 60, "BPJS Ketenagakerjaan", "BPJS Employment", "BPJS Ketenagakerjaan (employment social security)", 6),
    "BPN": ("land", 70, "BPN (Pertanahan)", "Land Office (BPN)", "Land Office (ATR/BPN), Jeneponto Regency", 7),
    "KEMENAG": ("mosque", 80, "Kemenag / KUA", "Religious Affairs", "Ministry of Religious Affairs Office, Jeneponto / District KUA", 8),
    "DPMPTSP": ("briefcase", 90, "Perizinan (DPMPTSP)", "Licensing (DPMPTSP)", "Investment and One-Stop Licensing Office (DPMPTSP), Jeneponto Regency", 9),
    "DISNAKER": ("hard-hat", 100, "Disnaker", "Manpower Office", "Manpower Office, Jeneponto Regency", 10),
    "BAPENDA": ("receipt", 110, "Bapenda (PBB)", "Revenue (land tax)", "Regional Revenue Agency (Bapenda), Jeneponto Regency", 11),
    "PA": ("scales", 120, "Pengadilan Agama", "Religious Court", "Jeneponto Religious Court", 12),
    "KEJARI": ("gavel", 130, "Kejaksaan (Tilang)", "Prosecutor (traffic fines)", "Jeneponto District Prosecutor's Office", 13),
    "POS": ("envelope", 140, "Kantor Pos", "Post Office", "PT Pos Indonesia, Jeneponto Post Office", 14),
    "TASPEN": ("building", 150, "Taspen", "Taspen (pensions)", "PT Taspen (civil servant pensions)", 15),
    "PLN": ("bolt", 160, "PLN (Listrik)", "PLN (electricity)", "PT PLN, Jeneponto customer service unit", 16),
    "PDAM": ("water", 170, "PDAM (Air Minum)", "Water company", "Regional drinking water company (Perumda Air Minum), Jeneponto", 17),
    "BANK": ("piggy-bank", 180, "Bank (Setoran Haji)", "Bank (Hajj deposit)", "Hajj deposit bank (BPS-BPIH appointed by the Ministry of Religious Affairs)", 18),
}

FREE_DUKCAPIL = "UU 24/2013 Pasal 79A dan 95B"

# Per seed entry, in seed order:
# code, prefix, name_en, summary (id, en), product (id, en), fee_en, amount_idr, legal basis, keywords, duration_en, quota
S = [
 ("KTP-BARU","KTB","New electronic ID card (KTP-el), first recording",("Perekaman data dan penerbitan KTP-el pertama bagi warga yang berusia 17 tahun atau sudah/pernah kawin.","Biometric recording and issue of a first KTP-el for residents aged 17 or married."),("KTP-el","Electronic ID card (KTP-el)"),"Free (Law 24/2013 Art. 79A: population documents are issued free of charge; illegal levies are a crime under Art. 95B)",0,"UU 24/2013 Pasal 79A dan 95B; Perpres 96/2018",["ktp","e-ktp","ektp","ktp-el","kartu tanda penduduk","identity card","rekam","perekaman","17 tahun"],None,None),
 ("KTP-HILANG","KTH","Replacement of a lost or damaged KTP-el",("Penerbitan ulang KTP-el yang hilang atau rusak.","Re-issue of a lost or damaged KTP-el."),("KTP-el pengganti","Replacement KTP-el"),"Free (Law 24/2013 Art. 79A: population documents are issued free of charge; illegal levies are a crime under Art. 95B)",0,FREE_DUKCAPIL,["ktp","e-ktp","ektp","ktp-el","hilang","rusak","lost","damaged"],None,None),
 ("KTP-UBAH","KTU","KTP-el re-issue after a change of data (marital status, education, job, address)",("Penerbitan KTP-el baru karena perubahan data: status perkawinan, pendidikan, pekerjaan atau alamat.","A new KTP-el after a change of marital status, education, occupation or address."),("KTP-el dengan data baru","KTP-el with updated data"),"Free (Law 24/2013 Art. 79A: population documents are issued free of charge; illegal levies are a crime under Art. 95B)",0,FREE_DUKCAPIL,["ktp","e-ktp","ektp","ktp-el","perubahan data","ganti alamat","change of address"],None,None),
 ("KK-BARU","KKB","New family card (KK) for a new family / after marriage",("Penerbitan Kartu Keluarga baru untuk keluarga baru, misalnya setelah menikah.","A new family card (Kartu Keluarga) for a new household, e.g. after marriage."),("Kartu Keluarga (KK)","Family card (KK)"),"Free (Law 24/2013 Art. 79A: population documents are issued free of charge; illegal levies are a crime under Art. 95B)",0,FREE_DUKCAPIL,["kk","kartu keluarga","family card","menikah","keluarga baru"],None,None),
 ("KK-UBAH","KKU","Family card (KK) update: family member added or removed",("Penerbitan KK karena perubahan data, misalnya penambahan atau pengurangan anggota keluarga.","A new KK after a change of data, such as a family member added or removed."),("Kartu Keluarga (KK) dengan data baru","Updated family card (KK)"),"Free (Law 24/2013 Art. 79A: population documents are issued free of charge; illegal levies are a crime under Art. 95B)",0,FREE_DUKCAPIL,["kk","kartu keluarga","family card","tambah anggota","perubahan data"],None,None),
 ("KK-HILANG","KKH","Replacement of a lost or damaged family card (KK)",("Penerbitan ulang Kartu Keluarga yang hilang atau rusak.","Re-issue of a lost or damaged family card."),("Kartu Keluarga (KK) pengganti","Replacement family card (KK)"),"Free (Law 24/2013 Art. 79A: population documents are issued free of charge; illegal levies are a crime under Art. 95B)",0,FREE_DUKCAPIL,["kk","kartu keluarga","family card","hilang","rusak","lost"],None,None),
 ("AKTA-LAHIR","AKL","Birth registration / birth certificate",("Pencatatan kelahiran dan penerbitan kutipan akta kelahiran. Laporkan kelahiran paling lambat 60 hari.","Registration of a birth and issue of the birth certificate. Report a birth within 60 days."),("Kutipan Akta Kelahiran","Birth certificate"),"Free (Law 24/2013 Art. 79A; illegal levies are a crime under Art. 95B); late-registration fines, if any, are set by regional regulation",0,"UU 24/2013 Pasal 79A dan 95B; Permendagri 108/2019; Perpres 96/2018",["akta","akte","kelahiran","lahir","birth certificate","bayi"],"1-5 working days (example from Disdukcapil Bontang); 5 working days (Kompas 2022)",None),
 ("AKTA-MATI","AKM","Death registration / death certificate",("Pencatatan kematian dan penerbitan kutipan akta kematian.","Registration of a death and issue of the death certificate."),("Kutipan Akta Kematian","Death certificate"),"Free (Law 24/2013 Art. 79A: population documents are issued free of charge; illegal levies are a crime under Art. 95B)",0,FREE_DUKCAPIL,["akta","akte","kematian","meninggal","death certificate"],"14 days (Disdukcapil Bandung Barat); 30 minutes (Dinpendukcapil Purbalingga) - varies between regions",None),
 ("KIA","KIA","Child identity card (KIA)",("Penerbitan Kartu Identitas Anak untuk anak di bawah 17 tahun.","Identity card for children under 17 (Kartu Identitas Anak)."),("Kartu Identitas Anak (KIA)","Child identity card (KIA)"),"Free",0,FREE_DUKCAPIL,["kia","kartu anak","child id","identitas anak"],None,None),
 ("SKPWNI","SKP","Certificate of moving (SKPWNI) for citizens moving to another region",("Penerbitan Surat Keterangan Pindah WNI bagi penduduk yang pindah domisili.","Moving certificate for residents moving to another regency or city."),("Surat Keterangan Pindah WNI (SKPWNI)","Moving certificate (SKPWNI)"),"Free (Law 24/2013 Art. 79A: population documents are issued free of charge; illegal levies are a crime under Art. 95B)",0,FREE_DUKCAPIL,["pindah","skpwni","surat pindah","moving","domisili"],None,None),
 ("SKCK-BARU","SKB","New police clearance certificate (SKCK)",("Penerbitan Surat Keterangan Catatan Kepolisian untuk keperluan melamar kerja, sekolah dan lainnya.","Police clearance certificate (SKCK) for job applications, school and other needs."),("SKCK (berlaku 6 bulan)","SKCK (valid for 6 months)"),"Rp30,000 (non-tax state revenue, PP 60/2016; unchanged in PP 76/2020)",30000,"PP 76/2020",["skck","surat keterangan catatan kepolisian","kelakuan baik","police clearance","good conduct"],None,None),
 ("SKCK-PANJANG","SKR","Renewal of a police clearance certificate (SKCK)",("Perpanjangan SKCK yang masa berlakunya habis paling lama 1 tahun.","Renewal of an SKCK that expired no more than 1 year ago."),("SKCK (berlaku 6 bulan)","SKCK (valid for 6 months)"),"Rp30,000 (non-tax state revenue)",30000,"PP 76/2020",["skck","perpanjangan","renewal","police clearance"],None,None),
 ("SIM-A-PANJANG","SMA","Renewal of a car driving licence (SIM A)",("Perpanjangan SIM A yang masih berlaku. SIM yang sudah lewat masa berlaku harus dibuat baru.","Renewal of a valid SIM A. An expired licence must be applied for anew."),("SIM A","Driving licence (SIM A)"),"Rp80,000 (PP 76/2020) + health and psychology tests paid separately",80000,"PP 76/2020; Perpol 2/2023",["sim","sim a","surat izin mengemudi","driving licence","license","mobil","perpanjangan"],None,None),
 ("SIM-C-PANJANG","SMC","Renewal of a motorcycle driving licence (SIM C)",("Perpanjangan SIM C yang masih berlaku.","Renewal of a valid SIM C."),("SIM C","Motorcycle licence (SIM C)"),"Rp75,000 (PP 76/2020)",75000,"PP 76/2020; Perpol 2/2023",["sim","sim c","surat izin mengemudi","driving licence","license","motor","perpanjangan"],None,None),
 ("SIM-C-BARU","SMB","New motorcycle driving licence (SIM C)",("Penerbitan SIM C baru, termasuk ujian teori dan praktik.","A new SIM C, including the theory and practical tests."),("SIM C","Motorcycle licence (SIM C)"),"Rp100,000 (new SIM C/CI/CII, PP 76/2020); new SIM A Rp120,000",100000,"PP 76/2020",["sim","sim c","surat izin mengemudi","driving licence","license","motor","baru"],None,None),
 ("PAJAK-KENDARAAN","PKB","Annual vehicle tax payment (yearly STNK endorsement)",("Pembayaran Pajak Kendaraan Bermotor tahunan dan pengesahan STNK.","Yearly motor vehicle tax payment and STNK endorsement."),("STNK disahkan dan bukti bayar pajak","Endorsed STNK and tax receipt"),"Vehicle tax per South Sulawesi regional regulation + SWDKLLJ (Jasa Raharja) + STNK endorsement fee (amount not verified)",None,"Perda Prov. Sulawesi Selatan tentang Pajak Daerah",["pajak","pkb","stnk","samsat","kendaraan","motor","mobil","vehicle tax"],None,None),
 ("STNK-5TAHUN","STN","5-yearly STNK renewal and new number plates (TNKB)",("Perpanjangan STNK lima tahunan dan penggantian pelat nomor (TNKB). Kendaraan dibawa untuk cek fisik.","Five-yearly STNK renewal and new number plates. Bring the vehicle for a physical check."),("STNK baru dan TNKB (pelat nomor)","New STNK and number plates"),"STNK fee: 2/3-wheelers Rp100,000, 4+ wheels Rp200,000; plates: 2/3-wheelers Rp60,000/pair, 4+ wheels Rp100,000/pair (PP 76/2020) + vehicle tax + SWDKLLJ",None,"PP 76/2020",["stnk","plat","pelat","tnkb","5 tahun","lima tahunan","samsat","number plate"],None,None),
 ("BALIK-NAMA","BBN","Change of vehicle ownership (used vehicle: STNK and BPKB)",("Balik nama kendaraan bekas: ganti nama pemilik di STNK dan BPKB.","Transfer of a used vehicle to its new owner's name on the STNK and BPKB."),("STNK dan BPKB atas nama pemilik baru","STNK and BPKB in the new owner's name"),"BPKB ownership change: 2/3-wheelers Rp225,000, 4+ wheels Rp375,000 + STNK + plates (PP 76/2020); BBNKB on second and later transfers is no longer charged (Law 1/2022 Art. 12(1))",None,"PP 76/2020; UU 1/2022 Pasal 12 ayat 1",["balik nama","bbn","bpkb","stnk","kendaraan bekas","samsat","ownership"],None,None),
 ("PASPOR-BARU","PSB","New ordinary passport (adult citizen)",("Permohonan paspor biasa baru untuk WNI dewasa melalui layanan Imigrasi di MPP.","Application for a new ordinary passport for adult citizens through the immigration service at the MPP."),("Paspor RI","Indonesian passport"),"Non-electronic 5-year Rp350,000; 10-year Rp650,000; electronic 5-year Rp650,000 (PP 45/2024, from 17 Dec 2024); same-day express service Rp1,000,000 (PP 28/2019)",None,"PP 45/2024; PP 28/2019",["paspor","passport","imigrasi","immigration","luar negeri","e-paspor"],"About 3 working days after payment (Tribun 2017) - to be verified",30),
 ("PASPOR-HILANG","PSH","Replacement of a lost or damaged passport",("Penggantian paspor yang hilang atau rusak.","Replacement of a lost or damaged passport."),("Paspor RI pengganti","Replacement passport"),"Passport fee by type + lost passport charge Rp1,000,000 per book or damaged Rp500,000 per book",None,"PP 45/2024",["paspor","passport","hilang","rusak","lost","imigrasi"],None,10),
 ("JKN-DAFTAR","JKN","National health insurance (JKN) registration, self-paying members",("Pendaftaran peserta JKN-KIS mandiri (Pekerja Bukan Penerima Upah / Bukan Pekerja) untuk seluruh anggota KK.","Registration of self-paying JKN health insurance members; the whole family on the KK is registered."),("Kartu JKN-KIS","JKN-KIS card"),"Registration free; monthly contribution class I Rp150,000, class II Rp100,000, class III Rp42,000 (member pays Rp35,000, the rest subsidised) - Perpres 64/2020 (class I/II figures not verified)",None,"Perpres 64/2020",["bpjs","jkn","kis","bpjs kesehatan","asuransi","health insurance","daftar"],"The card arrives after the first contribution is paid (bisnis.com: 'within 7 days after payment')",None),
 ("JKN-UBAH","JKU","JKN membership update / change of primary clinic (FKTP)",("Perubahan data peserta JKN atau pindah fasilitas kesehatan tingkat pertama (puskesmas/klinik).","Update of JKN member data or change of primary health facility (puskesmas/clinic)."),("Data kepesertaan JKN diperbarui","Updated JKN membership"),"Free",0,None,["bpjs","jkn","kis","faskes","puskesmas","pindah","perubahan data"],None,None),
 ("BPU-DAFTAR","BPU","Employment social security registration for informal / self-employed workers (BPU)",("Pendaftaran peserta BPJS Ketenagakerjaan Bukan Penerima Upah: pekerja mandiri seperti petani, nelayan, pedagang.","BPJS Employment registration for self-employed workers such as farmers, fishers and traders."),("Kartu peserta BPJS Ketenagakerjaan","BPJS Employment membership card"),"Registration free; monthly JKK + JKM (+ optional JHT) contributions by income (amounts not verified)",None,None,["bpjs","bpjs ketenagakerjaan","bpu","jamsostek","pekerja mandiri","daftar"],"Membership card within 7 days after payment",None),
 ("JHT-KLAIM","JHT","Old-age savings (JHT) claim after leaving work",("Klaim Jaminan Hari Tua bagi peserta yang berhenti bekerja atau terkena PHK (masa tunggu 1 bulan).","Old-age savings claim for members who left work or were laid off (1-month waiting period)."),("Pencairan saldo JHT ke rekening peserta","JHT balance paid to the member's bank account"),"Free",0,None,["jht","klaim","bpjs ketenagakerjaan","jamsostek","phk","berhenti kerja","pencairan"],"Waiting period 1 month after leaving work; claim processing time not found",None),
 ("TANAH-DAFTAR","TNB","First land registration (sporadic) / land certificate",("Pendaftaran tanah pertama kali dan penerbitan sertipikat hak atas tanah.","First registration of a land parcel and issue of the land title certificate."),("Sertipikat hak atas tanah","Land title certificate"),"Registration Rp50,000 per parcel; measuring Tu=(L/500 x HSBKu)+Rp100,000 (up to 10 ha); land inspection Tpa=(L/500 x HSBKpa)+Rp350,000 (PP 128/2015); transport and lodging paid by the applicant",None,"PP 128/2015",["tanah","sertifikat","sertipikat","bpn","pertanahan","land","certificate"],None,None),
 ("SERTIPIKAT-HILANG","SRH","Replacement of a lost or damaged land certificate",("Penggantian sertipikat tanah yang hilang atau rusak (penggantian blanko).","Replacement of a lost or damaged land certificate."),("Sertipikat pengganti","Replacement land certificate"),"Rp50,000 per parcel (new form) + Rp200,000 per form (oath and announcement) - PP 128/2015",None,"PP 128/2015",["sertifikat","sertipikat","hilang","rusak","bpn","tanah","land"],None,None),
 ("CEK-SERTIPIKAT","CEK","Land certificate check / land value information",("Pengecekan keabsahan sertipikat dan informasi nilai tanah.","Checking a land certificate and land value information."),("Surat hasil pengecekan / informasi nilai tanah","Certificate check result / land value information"),"Land value information Rp50,000 per parcel (PP 128/2015, verified); certificate check Rp50,000 (not verified)",50000,"PP 128/2015",["cek","pengecekan","sertifikat","sertipikat","nilai tanah","bpn"],None,None),
 ("NIKAH-KUA","NKH","Marriage registration at the KUA",("Pendaftaran kehendak nikah di Kantor Urusan Agama, paling lambat 10 hari kerja sebelum akad.","Registration of an intended marriage at the KUA, at least 10 working days before the ceremony."),("Jadwal akad dan buku nikah","Ceremony date and marriage book"),"Rp0 for a ceremony at the KUA during working hours; Rp600,000 outside the KUA or outside working hours (PP 48/2014, PP 59/2018)",None,"PP 48/2014; PP 59/2018",["nikah","kawin","kua","menikah","marriage","wedding","buku nikah"],"Register at least 10 working days before the ceremony",None),
 ("HAJI-DAFTAR","HAJ","Regular hajj registration",("Pendaftaran haji reguler di Kemenag setelah setoran awal BPIH di bank penerima setoran.","Regular hajj registration at the Ministry of Religious Affairs after the initial deposit at an appointed bank."),("SPPH dan nomor porsi haji","Hajj registration letter (SPPH) and queue number"),"Registration at Kemenag Rp0; initial BPIH deposit Rp25,000,000 to the Minister of Religious Affairs' account through an appointed bank",None,None,["haji","hajj","kemenag","porsi","bpih","ibadah"],None,None),
 ("NIB-OSS","NIB","Business identification number (NIB) through OSS RBA, assisted",("Pendampingan pendaftaran Nomor Induk Berusaha melalui OSS RBA untuk usaha mikro dan kecil.","Assisted registration of a business identification number (NIB) in OSS RBA, for micro and small businesses."),("NIB (Nomor Induk Berusaha)","Business identification number (NIB)"),"Free of charge",0,"PP 5/2021",["nib","oss","izin usaha","umkm","usaha","business licence","business"],"A few minutes to 30 minutes for micro and small businesses (Minister of Investment 2022); further permits depend on the risk level",None),
 ("SIP-BIDAN","SIB","Midwife practice licence (SIPB)",("Penerbitan Surat Izin Praktik Bidan.","Issue of a midwife practice licence."),("Surat Izin Praktik Bidan (SIPB)","Midwife practice licence (SIPB)"),"Free of charge",0,None,["sip","sipb","bidan","midwife","izin praktik","kesehatan"],"5 working days after complete documents (example from DPMPTSP Indragiri Hilir)",None),
 ("IZIN-REKLAME","RKL","Advertising (billboard) permit",("Penerbitan izin penyelenggaraan reklame: papan, baliho, neonbox, videotron.","Permit for billboards, banners, neon boxes and video screens."),("Izin penyelenggaraan reklame","Advertising permit"),"Free of charge (advertising tax is paid separately under the regional regulation)",None,None,["reklame","baliho","iklan","billboard","advertising","papan nama"],"3 hours after complete documents (example from DPMPTSP Indragiri Hilir)",None),
 ("KARTU-KUNING","AKI","Job seeker card (yellow card / AK-I)",("Penerbitan Kartu Tanda Pencari Kerja (kartu kuning), berlaku 2 tahun dengan lapor setiap 6 bulan.","Job seeker card (yellow card), valid for 2 years with a report every 6 months."),("Kartu Tanda Pencari Kerja (AK-I)","Job seeker card (AK-I)"),"Free (Ministry of Manpower, via setkab.go.id)",0,None,["kartu kuning","ak1","ak-1","ak-i","pencari kerja","job seeker","loker","lamaran kerja"],"Same day to a few days; valid 2 years, report every 6 months",None),
 ("PBB-DAFTAR","PBD","Registration of a new land and building tax (PBB-P2) object",("Pendaftaran objek Pajak Bumi dan Bangunan (PBB-P2) baru.","Registration of a new land and building tax (PBB-P2) object."),("SPPT PBB-P2","PBB-P2 tax assessment (SPPT)"),"Free of charge",0,None,["pbb","pajak bumi","sppt","pajak","tanah","bangunan","land tax"],"3 days (regular); 7 days if the area exceeds 1,000 m2 or a field visit is needed (example from Klaten)",None),
 ("PBB-MUTASI","PBM","Transfer of a PBB-P2 tax assessment to a new name",("Mutasi atau balik nama SPPT PBB-P2 karena jual beli, hibah atau warisan.","Transfer of a PBB-P2 assessment to a new owner after sale, gift or inheritance."),("SPPT PBB-P2 atas nama baru","PBB-P2 assessment in the new name"),"Free of charge",0,None,["pbb","mutasi","balik nama","sppt","pajak","warisan"],"3-7 days (example from Klaten)",None),
 ("PBB-BETUL","PBP","Correction of a PBB-P2 tax assessment",("Pembetulan kesalahan data pada SPPT PBB-P2.","Correction of wrong data on a PBB-P2 assessment."),("SPPT PBB-P2 yang dibetulkan","Corrected PBB-P2 assessment"),"Free of charge",0,None,["pbb","pembetulan","koreksi","sppt","pajak","salah"],"1 month until the SPPT distribution (example from Banyumas, served at its MPP)",None),
 ("CERAI-GUGAT","CRG","Filing a divorce suit (cerai gugat) at the Religious Court",("Pendaftaran perkara cerai gugat (gugatan oleh istri) di Pengadilan Agama.","Filing a divorce suit brought by the wife at the Religious Court."),("Nomor perkara dan jadwal sidang","Case number and hearing schedule"),"Court fee advance set by the Court's chair (by the parties' distance); free (prodeo) Rp0 for those who qualify; e-Court computes it automatically",None,None,["cerai","gugat","perceraian","pengadilan agama","divorce","pa"],"Registration about 45 minutes (example from PA Negara); cases usually under 5 months",None),
 ("TILANG-KEJARI","TLK","Traffic fine payment and return of seized items (prosecutor)",("Pembayaran denda tilang dan pengambilan barang bukti (SIM/STNK/kendaraan) di Kejaksaan.","Payment of a traffic fine and collection of the seized licence, STNK or vehicle."),("Barang bukti dikembalikan","Seized items returned"),"Fine as set by the judge (check tilang.kejaksaan.go.id); no service fee",None,None,["tilang","denda","barang bukti","kejaksaan","kejari","traffic fine","ticket"],"Per the hearing schedule (about 2 weeks after the ticket, example from Kejari Palembang)",None),
 ("TILANG-POS","TLP","Traffic fine payment and delivery of seized items (post office)",("Pembayaran denda tilang di Kantor Pos dan layanan antar barang bukti ke alamat.","Traffic fine payment at the post office and home delivery of seized items."),("Barang bukti diantar ke alamat","Seized items delivered to your address"),"Administration fee Rp5,000; delivery of seized items Rp15,000 (example from Kejari Pesisir Selatan, 2020)",None,None,["tilang","denda","pos","antar","barang bukti","traffic fine"],None,None),
 ("LEGES-POS","LGS","Stamping (nazegelen) of evidence documents for court cases",("Pemeteraian kemudian (nazegelen/leges) dokumen bukti untuk perkara di pengadilan.","Post-stamping (nazegelen) of evidence documents for court cases."),("Dokumen bukti yang telah dileges","Stamped evidence documents"),"Post office stamping fee not found",None,None,["leges","nazegelen","meterai","materai","pos","dokumen bukti"],None,None),
 ("TASPEN-THT","THT","Old-age savings (THT) claim for retiring civil servants",("Klaim Tabungan Hari Tua bagi ASN yang pensiun.","Old-age savings claim for retiring civil servants."),("Pembayaran THT","THT payment"),"Free",0,None,["taspen","tht","pensiun","asn","pns","tabungan hari tua","retirement"],None,None),
 ("TASPEN-PENSIUN","TSP","First pension claim for civil servants",("Klaim pensiun pertama bagi ASN.","First pension claim for civil servants."),("Pembayaran pensiun bulanan","Monthly pension payments"),"Free",0,None,["taspen","pensiun","asn","pns","pension","klaim"],None,None),
 ("PLN-PRABAYAR","PLA","New prepaid electricity connection",("Pemasangan sambungan listrik baru prabayar (token).","A new prepaid (token) electricity connection."),("Sambungan listrik prabayar dan token perdana","Prepaid connection and first token"),"Connection fee: 450 VA Rp421,000; 900 VA Rp843,000; 1,300 VA Rp1,218,000; 2,200 VA Rp2,062,000; 3,500 VA Rp3,391,500; above 2,200 VA up to 100 kVA Rp969/VA (Permen ESDM 27/2017) + first token + SLO",None,"Permen ESDM 27/2017",["pln","listrik","pasang baru","token","prabayar","electricity","meteran"],None,None),
 ("PLN-PASCABAYAR","PLB","New postpaid electricity connection",("Pemasangan sambungan listrik baru pascabayar (tagihan bulanan).","A new postpaid (monthly bill) electricity connection."),("Sambungan listrik pascabayar","Postpaid connection"),"450 VA Rp282,900; 900 VA Rp967,800; 1,300 VA Rp1,485,900; 2,200 VA Rp2,482,200; 3,500 VA Rp4,046,000; 4,400 VA Rp5,096,400; 5,500 VA Rp6,368,000 (including the customer deposit)",None,"Permen ESDM 27/2017",["pln","listrik","pasang baru","pascabayar","electricity","meteran"],None,None),
 ("PDAM-SAMBUNG","AIR","New household drinking water connection",("Pendaftaran sambungan rumah baru pelanggan air minum.","A new household drinking water connection."),("Sambungan air minum ke rumah","Water connection to your home"),"By the local water company's tariff; example from Perumda TSB: Rp1,500,000-Rp1,650,000 (8 m standard pipe) + other costs after the survey",None,None,["pdam","air","air minum","sambungan","water","perumda"],"5 working days (example from Perumda TSB)",None),
 ("TABUNGAN-HAJI","BNK","Hajj savings account and initial BPIH deposit",("Pembukaan tabungan haji dan setoran awal Biaya Penyelenggaraan Ibadah Haji di bank penerima setoran.","Opening a hajj savings account and paying the initial hajj deposit at an appointed bank."),("Bukti setoran awal BPIH dan nomor validasi","Initial deposit receipt and validation number"),"Initial deposit Rp25,000,000 (not a service fee)",None,None,["haji","hajj","tabungan haji","bpih","setoran","bank"],"Immediate (deposit receipt / validation number)",None),
]

REQ_EN = {
 "Telah berusia 17 tahun, sudah kawin, atau pernah kawin": "Aged 17 or over, married, or previously married",
 "Fotokopi Kartu Keluarga (KK)": "Photocopy of the family card (KK)",
 "Mengisi formulir F-1.02": "Fill in form F-1.02",
 "Hadir sendiri untuk perekaman biometrik (sidik jari, iris, foto, tanda tangan) - tidak dapat diwakilkan": "Come in person for biometric recording (fingerprints, iris, photo, signature) - no representatives",
 "Fotokopi KK": "Photocopy of the family card (KK)",
 "Surat Keterangan Kehilangan dari Kepolisian (jika hilang) atau KTP-el yang rusak": "Police loss report (if lost) or the damaged KTP-el",
 "KTP-el lama": "The old KTP-el",
 "Dokumen bukti perubahan (buku nikah/akta perkawinan, akta cerai, ijazah, SK pekerjaan, SKPWNI, dll.)": "Proof of the change (marriage book/certificate, divorce certificate, diploma, employment decree, SKPWNI, etc.)",
 "Buku nikah/kutipan akta perkawinan atau kutipan akta perceraian": "Marriage book/marriage certificate or divorce certificate",
 "SPTJM perkawinan/perceraian belum tercatat (F-1.05) bila tidak dapat melampirkan kutipan akta": "Statement of responsibility for an unregistered marriage/divorce (F-1.05) if no certificate can be attached",
 "Surat keterangan pindah/pindah datang bagi penduduk yang pindah dalam wilayah NKRI": "Moving / arrival certificate for residents moving within Indonesia",
 "Surat keterangan pindah luar negeri (bagi WNI datang dari luar negeri karena pindah)": "Certificate of moving from abroad (for citizens returning to live in Indonesia)",
 "KK lama": "The old family card (KK)",
 "Surat keterangan/bukti perubahan Peristiwa Kependudukan dan Peristiwa Penting (mis. akta kelahiran, akta kematian)": "Proof of the population or vital event (e.g. birth or death certificate)",
 "Surat keterangan hilang dari kepolisian (jika hilang) atau KK yang rusak": "Police loss report (if lost) or the damaged family card",
 "Fotokopi KTP-el": "Photocopy of the KTP-el",
 "Surat keterangan kelahiran dari RS/Puskesmas/bidan/penolong kelahiran (atau SPTJM kebenaran data kelahiran)": "Birth statement from the hospital, puskesmas, midwife or birth attendant (or a statement of responsibility for the birth data)",
 "Fotokopi buku nikah/akta perkawinan orang tua (atau SPTJM kebenaran sebagai pasangan suami istri)": "Photocopy of the parents' marriage book/certificate (or a statement of responsibility as husband and wife)",
 "Fotokopi KK dan KTP-el orang tua/pelapor (anak sudah masuk KK agar memiliki NIK)": "Photocopy of the KK and the parents'/reporter's KTP-el (the child must be on the KK to have an NIK)",
 "Formulir F-2.01": "Form F-2.01",
 "Surat kematian dari dokter atau kepala desa/lurah (atau surat keterangan kepolisian / salinan penetapan pengadilan bagi yang tidak jelas keberadaannya)": "Death statement from a doctor or the village head (or a police statement / court ruling for a missing person)",
 "KK": "Family card (KK)",
 "KTP-el yang meninggal": "The deceased's KTP-el",
 "Dokumen Perjalanan RI bagi WNI bukan penduduk / dokumen perjalanan bagi orang asing": "Indonesian travel document for non-resident citizens / travel document for foreigners",
 "Fotokopi kutipan akta kelahiran dan menunjukkan aslinya": "Photocopy of the birth certificate, and show the original",
 "KK asli orang tua/wali": "Original family card of the parents/guardian",
 "KTP-el asli kedua orang tua/wali": "Original KTP-el of both parents/guardian",
 "Pas foto anak berwarna 2x3 sebanyak 2 lembar (khusus anak usia 5 s.d. <17 tahun)": "2 colour photos of the child, 2x3 (only for children aged 5 to under 17)",
 "KK asli": "Original family card (KK)",
 "KTP-el": "KTP-el",
 "Mengisi formulir F-1.03 (pindah)": "Fill in form F-1.03 (moving)",
 "Fotokopi KTP/SIM (alamat sesuai domisili)": "Photocopy of KTP/driving licence (address matching where you live)",
 "Fotokopi akta kelahiran/surat kenal lahir/ijazah": "Photocopy of the birth certificate, birth statement or diploma",
 "Pas foto berwarna 4x6 latar merah sebanyak 6 lembar": "6 colour photos, 4x6, red background",
 "Rumus sidik jari (diambil di Polres/INAFIS bila belum punya)": "Fingerprint formula card (taken at the Polres/INAFIS if you have none)",
 "Surat pengantar kelurahan/desa (kebijakan sebagian Polsek)": "Cover letter from the village/kelurahan (required by some police offices)",
 "Mengisi formulir daftar riwayat hidup": "Fill in the personal history form",
 "SKCK lama asli/legalisir (maksimal habis masa berlaku 1 tahun)": "The old SKCK, original or certified copy (expired no more than 1 year ago)",
 "Fotokopi KTP/SIM": "Photocopy of KTP/driving licence",
 "Fotokopi akta kelahiran/kenal lahir": "Photocopy of the birth certificate or birth statement",
 "Pas foto berwarna 4x6 sebanyak 3 lembar": "3 colour photos, 4x6",
 "Mengisi formulir perpanjangan SKCK": "Fill in the SKCK renewal form",
 "SIM A asli (masih berlaku)": "Original SIM A (still valid)",
 "Surat keterangan sehat dari dokter": "Doctor's health certificate",
 "Sertifikat lulus tes psikologi (berlaku 6 bulan)": "Psychology test pass certificate (valid 6 months)",
 "Bukti peserta aktif BPJS Kesehatan (Perpol 2/2023 Pasal 9 ayat 5A)": "Proof of active BPJS Kesehatan membership (Perpol 2/2023 Art. 9(5A))",
 "SIM C asli (masih berlaku)": "Original SIM C (still valid)",
 "Sertifikat lulus tes psikologi": "Psychology test pass certificate",
 "Bukti peserta aktif BPJS Kesehatan": "Proof of active BPJS Kesehatan membership",
 "Usia minimal 17 tahun (C), 18 tahun (CI), 19 tahun (CII)": "Minimum age 17 (C), 18 (CI), 19 (CII)",
 "Formulir pendaftaran (manual/elektronik)": "Registration form (paper or electronic)",
 "Fotokopi dan asli KTP-el": "KTP-el, original and photocopy",
 "Perekaman biometrik": "Biometric recording",
 "Surat keterangan sehat jasmani & rohani (psikologi)": "Certificate of physical and mental (psychology) health",
 "Lulus ujian teori dan praktik": "Pass the theory and practical tests",
 "Bukti bayar PNBP": "Proof of fee payment (PNBP)",
 "KTP asli (sesuai nama di STNK) dan fotokopi": "KTP (matching the name on the STNK), original and photocopy",
 "STNK asli dan fotokopi": "STNK, original and photocopy",
 "BPKB asli/fotokopi (diminta sebagian Samsat)": "BPKB, original or photocopy (asked by some Samsat offices)",
 "KTP asli dan fotokopi sesuai nama di STNK/BPKB": "KTP matching the name on the STNK/BPKB, original and photocopy",
 "BPKB asli dan fotokopi (atau surat keterangan leasing + fotokopi BPKB legalisir)": "BPKB, original and photocopy (or a leasing company letter + certified BPKB copy)",
 "Kendaraan dibawa untuk cek fisik (gesek nomor rangka & mesin)": "Bring the vehicle for a physical check (chassis and engine number rubbing)",
 "Surat kuasa bila dikuasakan": "Power of attorney if someone acts for you",
 "KTP-el pemilik baru asli dan fotokopi": "New owner's KTP-el, original and photocopy",
 "BPKB asli dan fotokopi": "BPKB, original and photocopy",
 "Kuitansi pembelian bermeterai Rp10.000": "Purchase receipt with a Rp10,000 duty stamp",
 "Faktur asli/fotokopi (bila ada)": "Invoice, original or photocopy (if any)",
 "Cek fisik kendaraan": "Physical check of the vehicle",
 "KTP-el yang masih berlaku atau surat keterangan pindah ke luar negeri": "Valid KTP-el or certificate of moving abroad",
 "Kartu Keluarga": "Family card (KK)",
 "Akta kelahiran, akta perkawinan/buku nikah, ijazah, atau surat baptis (salah satu)": "One of: birth certificate, marriage certificate/book, diploma, or baptism certificate",
 "Surat penetapan ganti nama dari pejabat berwenang (bila pernah ganti nama)": "Official name-change decision (if your name was changed)",
 "Surat pewarganegaraan (bagi eks-WNA)": "Naturalisation certificate (for former foreign nationals)",
 "Persyaratan paspor baru (KTP-el, KK, akta/ijazah/buku nikah)": "The new-passport requirements (KTP-el, KK, birth certificate/diploma/marriage book)",
 "Surat keterangan hilang dari Kepolisian (jika hilang) atau paspor yang rusak": "Police loss report (if lost) or the damaged passport",
 "Kartu Keluarga (seluruh anggota KK didaftarkan)": "Family card (all members on the KK are registered)",
 "Alamat email dan nomor HP aktif": "Active email address and mobile number",
 "Formulir Daftar Isian Peserta (1A)": "Member data form (1A)",
 "Kartu JKN/KIS atau NIK": "JKN/KIS card or NIK",
 "KK (bila ada perubahan anggota keluarga)": "Family card (if family members changed)",
 "Dokumen pendukung perubahan (akta kelahiran, buku nikah, surat pindah)": "Documents supporting the change (birth certificate, marriage book, moving letter)",
 "KTP/NIK": "KTP/NIK",
 "Alamat email aktif": "Active email address",
 "Nomor HP aktif": "Active mobile number",
 "Kartu Peserta BPJS Ketenagakerjaan (KPJ)": "BPJS Ketenagakerjaan membership card (KPJ)",
 "KTP-el asli": "Original KTP-el",
 "Surat keterangan berhenti bekerja (paklaring) / SK PHK": "Letter of leaving employment (paklaring) / layoff decision",
 "Buku rekening tabungan atas nama peserta": "Savings account book in the member's name",
 "NPWP (jika saldo JHT di atas Rp50 juta)": "Tax number NPWP (if the JHT balance is over Rp50 million)",
 "Fotokopi KTP dan KK pemohon": "Photocopy of the applicant's KTP and KK",
 "Bukti kepemilikan/alas hak tanah": "Proof of land ownership / title basis",
 "SPPT PBB tahun berjalan": "This year's PBB tax assessment (SPPT)",
 "Surat pernyataan penguasaan fisik bidang tanah": "Statement of physical possession of the parcel",
 "Formulir permohonan": "Application form",
 "Permohonan": "Application",
 "Fotokopi KTP pemegang hak": "Photocopy of the right holder's KTP",
 "Surat keterangan hilang dari Kepolisian atau sertipikat rusak": "Police loss report or the damaged certificate",
 "Sumpah/pernyataan dan pengumuman di media": "Oath/statement and an announcement in the media",
 "Sertipikat asli": "Original land certificate",
 "Fotokopi KTP pemohon/kuasa": "Photocopy of the applicant's or representative's KTP",
 "Surat kuasa (bila dikuasakan)": "Power of attorney (if someone acts for you)",
 "Surat pengantar nikah dari desa/kelurahan (formulir N1-N4)": "Marriage cover letter from the village/kelurahan (forms N1-N4)",
 "Fotokopi KTP-el, akta kelahiran, dan KK calon pengantin": "Photocopies of the bride's and groom's KTP-el, birth certificates and KK",
 "Pas foto 2x3 latar biru (jumlah sesuai KUA)": "Photos 2x3, blue background (as many as the KUA asks)",
 "Izin orang tua (calon < 21 tahun)": "Parents' consent (if under 21)",
 "Dispensasi Pengadilan Agama (calon < 19 tahun)": "Religious Court dispensation (if under 19)",
 "Dispensasi camat bila mendaftar < 10 hari kerja sebelum akad": "Sub-district head's dispensation if registering less than 10 working days before the ceremony",
 "Izin atasan bagi anggota TNI/Polri": "Commander's permission for military/police members",
 "Akta cerai (duda/janda cerai) atau surat kematian pasangan - N6 (duda/janda mati)": "Divorce certificate (if divorced) or the spouse's death statement - N6 (if widowed)",
 "Surat keterangan sehat/imunisasi TT dari Puskesmas": "Health / tetanus immunisation certificate from the puskesmas",
 "Bukti setoran awal BPIH Rp25.000.000 dari Bank Penerima Setoran (BPS-BPIH)": "Receipt of the Rp25,000,000 initial BPIH deposit from an appointed bank (BPS-BPIH)",
 "Fotokopi buku tabungan haji": "Photocopy of the hajj savings book",
 "Fotokopi KTP-el sesuai domisili": "Photocopy of the KTP-el with your current address",
 "Fotokopi akta kelahiran/surat kenal lahir/ijazah/buku nikah": "Photocopy of the birth certificate, birth statement, diploma or marriage book",
 "Surat keterangan sehat jasmani & rohani dari Puskesmas": "Physical and mental health certificate from the puskesmas",
 "Pas foto 3x4 dan 4x6 latar putih, wajah tampak 80%, tanpa kacamata (atau difoto di Kemenag)": "Photos 3x4 and 4x6, white background, face 80% of the frame, no glasses (or photographed at Kemenag)",
 "Hadir sendiri untuk foto & sidik jari": "Come in person for photo and fingerprints",
 "NIK/KTP-el": "NIK / KTP-el",
 "Email aktif untuk aktivasi akun OSS": "Active email to activate the OSS account",
 "NPWP (perorangan/badan)": "Tax number NPWP (personal or company)",
 "Nomor HP": "Mobile number",
 "Akta pengesahan AHU (bagi PT/CV/yayasan/koperasi/firma)": "AHU deed of approval (for PT, CV, foundation, cooperative, firm)",
 "Dasar hukum pembentukan (bagi Perum/Perumda/BLU)": "Legal basis of establishment (for Perum, Perumda, BLU)",
 "Permohonan bermeterai": "Application with a duty stamp",
 "Pas foto berwarna 4x6 sebanyak 3 lembar ": "3 colour photos, 4x6",
 "Fotokopi ijazah dilegalisir": "Certified photocopy of the diploma",
 "Fotokopi STR yang masih berlaku": "Photocopy of a valid registration certificate (STR)",
 "Rekomendasi organisasi profesi (IBI) - tidak lagi disyaratkan di beberapa daerah pasca UU 17/2023": "Professional association (IBI) recommendation - no longer required in some regions after Law 17/2023",
 "Surat keterangan sehat dari dokter ber-SIP": "Health certificate from a licensed doctor",
 "Surat keterangan pimpinan fasyankes tempat bekerja": "Letter from the head of the health facility where you work",
 "Pas foto 3x4 sebanyak 2 lembar": "2 photos, 3x4",
 "Bukti lunas pajak reklame": "Proof of paid advertising tax",
 "Foto lokasi dari 3 arah": "Photos of the location from 3 directions",
 "Surat kesepakatan dengan pemilik bangunan/lahan": "Agreement with the building or land owner",
 "Gambar materi reklame": "Drawing of the advertisement",
 "Jaminan konstruksi (billboard/neonbox/videotron)": "Construction guarantee (billboard, neon box, video screen)",
 "Fotokopi ijazah terakhir dilegalisir (bawa asli)": "Certified photocopy of your latest diploma (bring the original)",
 "Fotokopi KTP-el (bawa asli)": "Photocopy of the KTP-el (bring the original)",
 "Fotokopi akta kelahiran": "Photocopy of the birth certificate",
 "Pas foto berwarna 3x4 latar merah 2 lembar": "2 colour photos, 3x4, red background",
 "Fotokopi sertipikat/bukti kepemilikan tanah": "Photocopy of the land certificate / proof of ownership",
 "Formulir SPOP/LSPOP diisi dan ditandatangani": "SPOP/LSPOP form, filled in and signed",
 "Fotokopi SPPT tetangga/pendamping": "Photocopy of a neighbour's SPPT",
 "Fotokopi PBG (jika ada bangunan)": "Photocopy of the building approval PBG (if there is a building)",
 "Fotokopi sertipikat sesuai KTP": "Photocopy of the land certificate matching the KTP",
 "Formulir data perubahan (SPOP/LSPOP)": "Change of data form (SPOP/LSPOP)",
 "SPPT induk/asal": "The original SPPT",
 "Surat waris & kuasa waris (jika tanah warisan)": "Inheritance letter and heirs' power of attorney (for inherited land)",
 "Bukti lunas PBB": "Proof of paid PBB",
 "Asli SPPT tahun berkenaan": "Original SPPT of the year concerned",
 "Surat permohonan pembetulan": "Letter asking for the correction",
 "SPOP dan LSPOP (jika ada bangunan)": "SPOP and LSPOP (if there is a building)",
 "Fotokopi KTP atau KK": "Photocopy of the KTP or KK",
 "Surat keterangan desa/kelurahan letak objek": "Letter from the village/kelurahan where the property lies",
 "Surat kuasa (bila bukan wajib pajak)": "Power of attorney (if you are not the taxpayer)",
 "Surat gugatan (+ softcopy)": "The suit letter (+ electronic copy)",
 "Fotokopi buku nikah/duplikat kutipan akta nikah bermeterai Rp10.000 & dileges Kantor Pos + asli": "Photocopy of the marriage book/duplicate, with a Rp10,000 duty stamp and post-office stamping, plus the original",
 "Fotokopi KTP-el (atau surat keterangan domisili) bermeterai & dileges + asli": "Photocopy of the KTP-el (or domicile letter), stamped and post-office stamped, plus the original",
 "Surat keterangan ghaib dari kelurahan diketahui camat (jika tergugat tidak diketahui keberadaannya)": "Letter from the kelurahan, known to the sub-district head, if the defendant's whereabouts are unknown",
 "Surat izin atasan (PNS/TNI/Polri/BUMN/BUMD)": "Superior's permission (civil servants, military, police, state companies)",
 "SKTM dari kelurahan (bila berperkara prodeo)": "Certificate of low income (SKTM) from the kelurahan (for a free case)",
 "Surat/slip tilang (biru atau merah) atau nomor register tilang": "Traffic ticket slip (blue or red) or its register number",
 "Bukti pembayaran denda (kode bayar MPN/BRIVA) atau bayar via EDC BRI di loket": "Proof of fine payment (MPN/BRIVA code) or pay by BRI card terminal at the counter",
 "Fotokopi KTP": "Photocopy of the KTP",
 "Slip tilang (biru/merah)": "Traffic ticket slip (blue/red)",
 "Identitas (KTP)": "Identity card (KTP)",
 "Fotokopi dokumen bukti": "Photocopies of the evidence documents",
 "Meterai Rp10.000": "Rp10,000 duty stamp",
 "Dokumen asli untuk dicocokkan": "Original documents for comparison",
 "Formulir permintaan pembayaran": "Payment request form",
 "Fotokopi SK pensiun": "Photocopy of the pension decree",
 "KPPG atau asli SKPP": "KPPG or the original SKPP",
 "Fotokopi KTP pemohon": "Photocopy of the applicant's KTP",
 "Fotokopi buku tabungan (bila dibayar via bank)": "Photocopy of the savings book (if paid through a bank)",
 "Tembusan SK pensiun berpasfoto": "Copy of the pension decree with photo",
 "Asli SKPP": "Original SKPP",
 "KTP-el pemohon": "Applicant's KTP-el",
 "Alamat/titik lokasi pemasangan": "Address / location of the installation",
 "Nomor HP/email": "Mobile number / email",
 "Sertifikat Laik Operasi (SLO) instalasi rumah": "Certificate of operational fitness (SLO) of the house wiring",
 "Alamat/titik lokasi": "Address / location",
 "SLO instalasi": "Wiring certificate (SLO)",
 "Meterai Rp10.000 ": "Rp10,000 duty stamp",
 "Mengisi Surat Permohonan Langganan (SPL)": "Fill in the subscription application (SPL)",
 "Fotokopi PBB/bukti kepemilikan (kebijakan sebagian PDAM)": "Photocopy of the PBB / proof of ownership (asked by some water companies)",
 "Uang setoran awal Rp25.000.000": "Rp25,000,000 for the initial deposit",
}

PROCEDURE = [
    ("Siapkan semua dokumen persyaratan di atas.", "Prepare all the documents listed above."),
    ("Ambil nomor antrean di kiosk ini.", "Take a queue number at this kiosk."),
    ("Tunggu nomor Anda dipanggil, lalu datang ke {counter_id}.", "Wait until your number is called, then go to {counter_en}."),
    ("Serahkan dokumen kepada petugas untuk diperiksa.", "Hand your documents to the officer to be checked."),
    ("Terima {product_id}, atau tanda terima berisi jadwal pengambilan.", "Receive your {product_en}, or a receipt with the pick-up date."),
]

def legal_en(citation):
    """Citations keep their numbers; only the words around them are translated."""
    for a, b in [("UU ", "Law "), ("Pasal ", "Art. "), (" dan ", " and "), (" ayat ", " para. "),
                 ("Perda Prov. Sulawesi Selatan tentang Pajak Daerah", "South Sulawesi regional regulation on regional taxes")]:
        citation = citation.replace(a, b)
    return citation

# The research's own notes ("(Tribun 2017) - verifikasi", "(nominal tidak diverifikasi di
# korpus)") are for staff and maintainers: they go to `staff_notes`, never to a citizen.
RESEARCH = re.compile(
    r"korpus|corpus|Tribun \d{4}|sumber lemah|weak source|to be verified|not verified|"
    r"diverifikasi|terverifikasi|\bverified\b|\bverifikasi\b|bisnis\.com",
    re.IGNORECASE,
)

def split_research(text):
    """The citizen's text without the research's notes, and those notes."""
    if text is None:
        return None, []
    notes = []
    def parenthetical(m):
        if RESEARCH.search(m.group(0)):
            notes.append(m.group(0).strip().strip("()").strip())
            return ""
        return m.group(0)
    t = re.sub(r"\s*\([^()]*(?:\([^()]*\)[^()]*)*\)", parenthetical, text)
    m = re.search(r"\s+[-\u2014]\s+((?:verifikasi|to be verified).*)$", t)
    if m:
        notes.append(m.group(1).strip())
        t = t[:m.start()]
    if RESEARCH.search(t):
        sys.exit(f"a research note left in a citizen's text: {t!r}")
    return t.strip().rstrip(";,").strip(), notes

def not_found(duration):
    return duration.lower().startswith("tidak ditemukan")

# What a requirement asks: a document to bring (the default), a condition to meet, a form
# to fill in (available at the counter). Read from how the seed's text begins.
FORM_PREFIXES = ("Mengisi formulir", "Mengisi Surat Permohonan", "Formulir")
CONDITION_PREFIXES = (
    "Telah berusia", "Usia minimal", "Hadir sendiri", "Perekaman biometrik", "Lulus ujian",
    "Kendaraan dibawa", "Cek fisik", "Alamat", "Email aktif", "Nomor HP", "Sumpah/pernyataan",
    "Rumus sidik jari",
)

def kind(text):
    t = text.strip()
    if t.startswith(FORM_PREFIXES):
        return "form"
    if t.startswith(CONDITION_PREFIXES):
        return "condition"
    return "document"

def dashes(v, key=None):
    """Indonesian and English both set a parenthetical dash as an em dash (" — "), not
    a hyphen; sources and keywords are kept as typed."""
    if key in ("sources", "keywords"):
        return v
    if isinstance(v, str):
        return v.replace(" - ", " \u2014 ")
    if isinstance(v, list):
        return [dashes(x, key) for x in v]
    if isinstance(v, dict):
        return {k: dashes(x, k) for k, x in v.items()}
    return v

def main(seed_path, out_path):
    seed = json.load(open(seed_path, encoding="utf-8"))
    assert len(seed) == len(S), (len(seed), len(S))
    agency_names, agency_notes = {}, {}
    for e in seed:
        name, notes = split_research(e["agency"])
        agency_names.setdefault(e["agency_code"], name)
        agency_notes.setdefault(e["agency_code"], notes)
    agencies = []
    for code, (icon, order, short_id, short_en, name_en, _) in AGENCIES.items():
        agencies.append({"code": code, "name": T(agency_names[code], name_en), "short_name": T(short_id, short_en), "icon": icon, "order": order})
    services = []
    missing = []
    for e, row in zip(seed, S):
        code, prefix, name_en, summary, product, fee_en, amount, legal, keywords, dur_en, quota = row
        counter_no = AGENCIES[e["agency_code"]][5]
        short_id = AGENCIES[e["agency_code"]][2]
        short_en = AGENCIES[e["agency_code"]][3]
        # The counter as the site writes it on the wall: its number, then the agency.
        counter = T(f"Loket {counter_no} \u00b7 {short_id}", f"Counter {counter_no} \u00b7 {short_en}")
        reqs = []
        for r in e["requirements"]:
            en = REQ_EN.get(r) or REQ_EN.get(r.strip())
            if en is None:
                missing.append(r)
            req = T(r.strip(), en)
            k = kind(r)
            if k != "document":
                req["kind"] = k
            reqs.append(req)
        procedure = [
            T(a.format(counter_id=counter["id"], product_id=product[0]), b.format(counter_en=counter["en"], product_en=product[1]))
            for a, b in PROCEDURE
        ]
        s = {
            "code": code,
            "agency": e["agency_code"],
            "name": T(e["service"], name_en),
            "summary": T(*summary),
            "requirements": reqs,
            "procedure": procedure,
        }
        staff_id, staff_en = list(agency_notes[e["agency_code"]]), []
        if not not_found(e["duration"]):
            dur_id, n_id = split_research(e["duration"])
            dur_en2, n_en = split_research(dur_en)
            staff_id += n_id
            staff_en += n_en
            s["processing_time"] = T(dur_id, dur_en2)
        fee_id, n_id = split_research(e["fee"])
        fee_en2, n_en = split_research(fee_en)
        staff_id += n_id
        staff_en += n_en
        s["fee"] = {"text": T(fee_id, fee_en2)}
        if amount is not None:
            s["fee"]["amount_idr"] = amount
        s["product"] = T(*product)
        if legal:
            s["legal_basis"] = T(legal, legal_en(legal))
        s["counter"] = counter
        s["ticket_prefix"] = prefix
        if quota:
            s["daily_quota"] = quota
        s["keywords"] = keywords
        s["verified"] = not e["uncertain"]
        note = e["notes"].strip()
        if note and RESEARCH.search(note):
            staff_id.append(note)
        elif note:
            s["notes"] = T(note)
        if staff_id:
            s["staff_notes"] = T("; ".join(staff_id), "; ".join(staff_en) or None)
        s["sources"] = [x.strip() for x in e["source"].split(" ; ") if x.strip()]
        services.append(s)
    if missing:
        sys.exit("no English for requirements: " + repr(missing))

    day = lambda close, breaks=None: {"open": "08:00", "close": close, **({"breaks": breaks} if breaks else {})}
    friday_prayer = [{"start": "11:30", "end": "13:00", "reason": T("Istirahat salat Jumat", "Friday prayer break")}]
    feed = {
        "schema": 1,
        "version": VERSION,
        "generated_at": GENERATED_AT,
        "site": {
            "code": "MPP-JENEPONTO",
            "name": T("Mal Pelayanan Publik Kabupaten Jeneponto", "Jeneponto Regency Public Service Mall"),
            "short_name": T("MPP Jeneponto", "MPP Jeneponto"),
            "address": T("Kabupaten Jeneponto, Sulawesi Selatan", "Jeneponto Regency, South Sulawesi"),
            "time_zone": "Asia/Makassar",
            "hours": {"mon": day("16:00"), "tue": day("16:00"), "wed": day("16:00"), "thu": day("16:00"), "fri": day("16:30", friday_prayer)},
            "cutoff_minutes": 30,
            # Fixed-date national holidays only: the religious holidays and collective leave
            # days follow the yearly joint ministerial decree (SKB 3 Menteri) and are added
            # by the site administrator once published.
            "holidays": [
                {"date": "2026-12-25", "name": T("Hari Raya Natal", "Christmas Day")},
                {"date": "2027-01-01", "name": T("Tahun Baru Masehi", "New Year's Day")},
                {"date": "2027-05-01", "name": T("Hari Buruh Internasional", "International Labour Day")},
                {"date": "2027-06-01", "name": T("Hari Lahir Pancasila", "Pancasila Day")},
                {"date": "2027-08-17", "name": T("Hari Kemerdekaan Republik Indonesia", "Independence Day")},
                {"date": "2027-12-25", "name": T("Hari Raya Natal", "Christmas Day")},
            ],
            "notices": [
                {"text": T("Pengurusan dokumen kependudukan (KTP-el, KK, akta, KIA) GRATIS. Laporkan pungutan liar melalui SP4N-LAPOR!",
                           "Population documents (KTP-el, KK, certificates, KIA) are FREE. Report illegal charges through SP4N-LAPOR!")},
            ],
            "complaints": T("SP4N-LAPOR! (www.lapor.go.id) atau meja informasi dan pengaduan MPP",
                            "SP4N-LAPOR! (www.lapor.go.id) or the MPP information and complaints desk"),
            # What espeak-ng's Indonesian voice says wrong in this catalogue, beyond the
            # built-in list (mpp_domain::speech::BUILT_IN): checked by ear with
            # `mpp-kiosk speech say`.
            "pronunciations": [
                {"written": "Eazy Passport", "spoken": "isi paspor"},
                {"written": "TPI", "spoken": "te pe i"},
                {"written": "Bapenda", "spoken": "ba penda"},
                {"written": "Intelkam", "spoken": "intel kam"},
                {"written": "Lantas", "spoken": "lalu lintas"},
                {"written": "SP4N-LAPOR!", "spoken": "es pe empat en lapor"},
                {"written": "F-1.02", "spoken": "formulir ef satu nol dua"},
                {"written": "PNBP", "spoken": "pe en be pe"},
            ],
        },
        "agencies": agencies,
        "services": services,
    }
    feed = dashes(feed)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(feed, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"wrote {out_path}: {len(agencies)} agencies, {len(services)} services, "
          f"{sum(not s['verified'] for s in services)} unverified")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/seed/services.json",
         sys.argv[2] if len(sys.argv) > 2 else "assets/catalogue/jeneponto.json")
